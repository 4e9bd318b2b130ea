"""Certificates (Nachweise): event participation, module completion, coaching participation.

academy imports no offer app. Each app that gives certificates registers, once in its AppConfig.ready, how
to build what a certificate of its kind says about a subject:

    from academy.certificates import CertificateContent, certificate_kinds

    def build(*, subject_key, recipient):
        # "event:42" and the person -> what the certificate says, or None when the rule is not met
        return CertificateContent(title=..., details={...}, organisation_id=..., organisation_name=...)

    certificate_kinds["event"] = build

and calls `certificate_issue(kind="event", subject_key="event:42", recipient=person)` when the condition
is met (attendance marked after the last date, module completed, case completed). Who else may download
a certificate (an organisation's admins) is answered by `certificate_viewers`, which organisations fills.

Details are a JSON snapshot with these optional keys, all shown by templates/certificates/certificate.html:
dates (list of {"start", "end"} ISO datetimes), hours (number), sessions (number), topics (list of names),
place (text), online (bool), trainers (list of names), contents (text), format (text).
"""

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import Certificate, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CertificateContent:
    title: str
    details: dict = field(default_factory=dict)
    organisation_id: int | None = None
    organisation_name: str = ""
    recipient_name: str = ""  # defaults to the person's full name
    language: str = ""  # defaults to the person's language, else German


# kind -> build(*, subject_key, recipient) -> CertificateContent | None
certificate_kinds: dict[str, Callable[..., CertificateContent | None]] = {}

# Who besides the person and staff may download: callables (*, user, certificate) -> bool.
certificate_viewers: list[Callable[..., bool]] = []


# ---- issuing ---------------------------------------------------------------------------------------------------


def _enqueue_render(certificate_id: int) -> None:
    from .outbox import enqueue
    from .tasks import render_certificate

    enqueue(render_certificate, certificate_id)


def certificate_issue(
    *, kind: str, subject_key: str, recipient: User | None = None, render_now: bool = False
) -> Certificate | None:
    """Issues the certificate of `kind` for the subject to the person (or, recipient None, to the subject's
    organisation) and enqueues its PDF after commit. Returns None when the kind's rule is not met.

    `render_now` (for a worker task outside any transaction): renders the PDF here instead of enqueueing a
    second task, which saves an outbox row, a broker round trip and a task per certificate; when that fails
    with a storage error the render task is enqueued as usual, with its retries.

    Idempotent: an existing certificate (revoked or not) is returned unchanged; the partial UniqueConstraints
    on (kind, subject_key, recipient) make two concurrent issues end with one row (the loser reads the
    winner's). A certificate whose PDF is still missing is enqueued again.
    """
    existing = Certificate.objects.filter(kind=kind, subject_key=subject_key, recipient=recipient).first()
    if existing is None:
        build = certificate_kinds[kind]
        language = recipient.language if recipient is not None else settings.LANGUAGE_CODE
        with translation.override(language):
            content = build(subject_key=subject_key, recipient=recipient)
        if content is None:
            return None
        try:
            with transaction.atomic():
                existing = Certificate.objects.create(
                    kind=kind,
                    subject_key=subject_key,
                    recipient=recipient,
                    recipient_name=content.recipient_name or (recipient.get_full_name() if recipient else ""),
                    organisation_id=content.organisation_id,
                    organisation_name=content.organisation_name,
                    title=content.title,
                    details=content.details,
                    language=content.language or language,
                )
        except IntegrityError:  # issued at the same moment by another worker: theirs is the one
            existing = Certificate.objects.get(kind=kind, subject_key=subject_key, recipient=recipient)
            if existing.file:
                return existing
    elif existing.file:
        return existing
    if render_now:
        try:
            return certificate_render(certificate_id=existing.pk) or existing
        except OSError:
            logger.warning("certificate %s: rendering failed, left to the render task", existing.pk, exc_info=True)
    _enqueue_render(existing.pk)
    return existing


def certificate_revoke(*, certificate: Certificate, reason: str, by: User) -> Certificate:
    """Staff revoke a certificate with a reason; the verification page then says it is revoked. Idempotent."""
    if not (by.is_authenticated and by.is_staff):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"revoked_reason": _("Please give a reason.")}, code="reason_required")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is None:
            certificate.revoked_at = timezone.now()
            certificate.revoked_reason = reason
            certificate.revoked_by = by
            certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return certificate


def certificate_may_download(*, user, certificate: Certificate) -> bool:
    """The person, staff, and whoever a registered viewer admits (an organisation's admins)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or (certificate.recipient_id is not None and certificate.recipient_id == user.pk):
        return True
    return any(viewer(user=user, certificate=certificate) for viewer in certificate_viewers)


# ---- the PDF ---------------------------------------------------------------------------------------------------

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def local_url_fetcher():
    """A WeasyPrint fetcher that loads only data: URIs and files below static/: no network at render time."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if path.is_relative_to(STATIC_DIR.resolve()):
                    return super().fetch(url, headers)
            raise ValueError(f"Refused to fetch {url!r}: certificates load only local files.")

    return LocalOnlyFetcher(allowed_protocols=("file", "data"))


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("academy:certificate_verify", args=[certificate.code])


QR_BOX_PIXELS = 4  # pixels per module: sharp at the printed 26 mm even where a viewer smooths the image


def qr_png_data_uri(text: str) -> str:
    """The text as a QR code: a black-and-white PNG (4 pixels a module, a 1-module margin), as a data: URI.

    A PNG rather than an SVG: WeasyPrint parses an SVG path in Python, and the QR code's path of hundreds of
    squares was a quarter of each certificate's rendering time; a small PNG is embedded as it is.
    """
    import base64
    import io

    import qrcode

    code = qrcode.QRCode(box_size=QR_BOX_PIXELS, border=1)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _dates(details: dict) -> list[dict]:
    dates = []
    for item in details.get("dates") or ():
        start, end = parse_datetime(item.get("start") or ""), parse_datetime(item.get("end") or "")
        if start is not None:
            dates.append({"start": timezone.localtime(start), "end": timezone.localtime(end) if end else None})
    return dates


_fonts = threading.local()


def _font_config():
    """One FontConfiguration per thread: a new one per PDF leaks about 0.2 MB each (docs/benchmarks.md)."""
    from weasyprint.text.fonts import FontConfiguration

    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config


def render_pdf(*, template: str, context: dict, title: str, language: str) -> bytes:
    """Renders an HTML template with the project's fonts to a tagged PDF (PDF/UA-1) in `language`."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            template,
            {
                **context,
                "static_root": STATIC_DIR.resolve().as_uri(),
                "pdf_title": title,
                "pdf_language": language,
                # Arabic is typeset right-to-left: dir="rtl" on <html> and mirrored page furniture.
                "pdf_bidi": translation.get_language_bidi(),
            },
        )
    fonts = _font_config()
    document = HTML(string=html, base_url=STATIC_DIR.resolve().as_uri() + "/", url_fetcher=local_url_fetcher())
    return document.write_pdf(font_config=fonts, pdf_variant="pdf/ua-1", uncompressed_pdf=False)


def certificate_pdf(*, certificate: Certificate) -> bytes:
    url = verification_url(certificate)
    context = {
        "certificate": certificate,
        "details": certificate.details,
        "dates": _dates(certificate.details),
        "verification_url": url,
        "qr": qr_png_data_uri(url),
    }
    return render_pdf(
        template="certificates/certificate.html",
        context=context,
        title=certificate.title,
        language=certificate.language,
    )


def certificate_render(*, certificate_id: int, now: datetime | None = None) -> Certificate | None:
    """Makes the certificate's PDF and stores it through the storage API, overwriting an earlier one.

    Regenerate-and-overwrite: the file keeps its random name (chosen at the first render), so running twice
    leaves one current file. The row is updated with a queryset update, so a concurrent revoke is kept.
    """
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return None
    pdf = certificate_pdf(certificate=certificate)
    field_file = certificate.file
    storage = field_file.storage
    name = field_file.name or f"certificates/{secrets.token_urlsafe(18)}.pdf"
    if storage.exists(name):
        storage.delete(name)
    stored = storage.save(name, ContentFile(pdf))
    rendered_at = now or timezone.now()
    Certificate.objects.filter(pk=certificate.pk).update(file=stored, rendered_at=rendered_at)
    certificate.file.name, certificate.rendered_at = stored, rendered_at
    return certificate
