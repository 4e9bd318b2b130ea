import mimetypes
from datetime import date

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import health, selectors, services
from .forms import ContactForm, LanguageForm


@require_GET
def home(request):
    return render(request, "academy/home.html", {"topics": selectors.topic_list()})


@require_GET
def plain_home(request):
    """The home page in plain language (Einfache Sprache): what VAMOs is, for whom, what it offers."""
    return render(request, "academy/plain_home.html")


@require_GET
def plain_join(request):
    """How to take part, in plain language: account, organisation, approval by the team, first booking."""
    return render(request, "academy/plain_join.html")


@require_GET
def imprint(request):
    return render(request, "academy/imprint.html")


@require_GET
def privacy(request):
    # The version of the notice is its month ("2026-11"); people are asked to consent again when it changes.
    year, month = (int(part) for part in settings.PRIVACY_NOTICE_VERSION.split("-")[:2])
    return render(
        request,
        "academy/privacy.html",
        {
            "privacy_version": settings.PRIVACY_NOTICE_VERSION,
            "privacy_updated": date(year, month, 1),
            "retention_years": settings.VAMOS_RETENTION_YEARS,
        },
    )


# The day the accessibility statement was last reviewed against the tests it describes; change it with the text.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 26)
# Subjects a link may preset on the contact form (?subject=<key>); a key, so a link cannot put any text there.
CONTACT_SUBJECTS = {"barrier": gettext_lazy("Barrier on the portal")}


@require_GET
def accessibility(request):
    return render(request, "academy/accessibility.html", {"statement_date": ACCESSIBILITY_STATEMENT_DATE})


def _contact_allowed(request) -> bool:
    """allauth's rate limiter counts per client address (ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy)."""
    return ratelimit.consume(request, action="contact")


def contact(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            if not _contact_allowed(request):
                form.add_error(None, _("You have sent several messages in a short time. Please try again later."))
            else:
                services.contact_message_create(
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    organisation=form.cleaned_data["organisation"],
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                    user=request.user,
                    spam=form.is_spam(),
                )
                messages.success(request, _("Thank you! Your message has reached the VAMOs team."))
                return redirect("academy:contact_sent")
    else:
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.get_full_name(), "email": request.user.email}
        if preset := CONTACT_SUBJECTS.get(request.GET.get("subject", "")):
            initial["subject"] = str(preset)
        form = ContactForm(initial=initial)
    return render(request, "academy/contact.html", {"form": form})


@require_GET
def contact_sent(request):
    return render(request, "academy/contact_sent.html")


@require_POST
def set_language(request):
    """Switches the language with a plain form post, so it works without JavaScript.

    Signed-in people keep the choice on their account (their mails follow it); visitors get a cookie.
    """
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    # A plain redirect: `redirect()` would take a value like "home" for a view name.
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            httponly=True,
        )
    return response


@never_cache
@require_GET
def healthz(request):
    """200 only when the database and the broker are reachable; the body names each check."""
    results = {name: check() for name, check in health.CHECKS.items()}
    healthy = all(reason is None for reason in results.values())
    body = {
        "status": "ok" if healthy else "error",
        "checks": {name: "ok" if reason is None else f"error: {reason}" for name, reason in results.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


# Uploads that every visitor may see: organisation logos, coach photos, module covers. Everything else under
# MEDIA_ROOT (certificates, materials, lesson files, data exports) is private and served only by views that
# check who asks; this view never serves it, in development either.
PUBLIC_MEDIA_PREFIXES = ("organisations/logos/", "coaching/photos/", "elearning/covers/")
PUBLIC_MEDIA_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


@require_GET
def public_media(request, name: str):
    """A public image from the storage, with a type from its (validated) ending and no way to run as a page."""
    content_type, _encoding = mimetypes.guess_type(name)
    if not name.startswith(PUBLIC_MEDIA_PREFIXES) or ".." in name.split("/") or content_type not in PUBLIC_MEDIA_TYPES:
        raise Http404
    try:
        file = default_storage.open(name)
    except (OSError, SuspiciousFileOperation) as error:
        raise Http404 from error
    response = FileResponse(file, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
