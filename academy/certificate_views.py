"""Certificate pages: the public verification page, "Meine Nachweise" and the download that checks who asks."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .certificates import certificate_may_download
from .models import Certificate

# What the public page may read: never the person's email, the details or the organisation's internals.
VERIFY_FIELDS = ("code", "kind", "title", "recipient_name", "organisation_name", "recipient", "issued_at", "revoked_at")


@require_GET
def certificate_verify(request, code: str):
    """Public: whether the certificate is valid, for whom (name) and for what. Nothing else is shown."""
    certificate = get_object_or_404(Certificate.objects.only(*VERIFY_FIELDS), code=code)
    return render(request, "certificates/verify.html", {"certificate": certificate})


@login_required
@require_GET
def my_certificates(request):
    certificates = Certificate.objects.filter(recipient=request.user).order_by("-issued_at", "-pk")
    return render(request, "certificates/mine.html", {"certificates": certificates})


@login_required
@require_GET
def certificate_download(request, pk: int):
    """The PDF, to the person, their organisation's admins and staff; 404 to anyone else (ids do not leak).
    Served through this view from the storage API, never from a public media URL."""
    certificate = Certificate.objects.filter(pk=pk).first()
    if (
        certificate is None
        or not certificate.file
        or not certificate_may_download(user=request.user, certificate=certificate)
    ):
        raise Http404
    response = FileResponse(
        certificate.file.open("rb"),
        as_attachment=True,
        filename=f"vamos-nachweis-{certificate.code}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
