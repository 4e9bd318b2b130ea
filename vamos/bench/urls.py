"""The portal's URLs plus the bare view; the ROOT_URLCONF of vamos.settings.bench only."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def bare(request):
    """The floor: no template, no query of its own; what the middleware costs (session, person, language,
    CSRF, security headers) it costs here too, because the person is looked up for the language."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("vamos.urls")),
]
