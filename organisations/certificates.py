"""The organisation's side of certificates (academy.certificates): its admins may download its people's
certificates, and it has a record of everything its people took part in, as a page and as a PDF."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from academy.certificates import render_pdf
from academy.models import Certificate

from . import selectors
from .models import Membership
from .views import consent_required


def admin_may_download(*, user, certificate) -> bool:
    """Registered in academy.certificates.certificate_viewers: the admins of the certificate's organisation."""
    if certificate.organisation_id is None:
        return False
    return Membership.objects.filter(
        user=user, organisation_id=certificate.organisation_id, role=Membership.Role.ADMIN
    ).exists()


def home_slot(*, request, organisation) -> dict | None:
    """A link to the record for the organisation's admins and staff (no query: the memberships are loaded)."""
    memberships = getattr(request, "_memberships", None) or []
    is_admin = any(m.organisation_id == organisation.pk and m.is_admin for m in memberships)
    if not (is_admin or request.user.is_staff):
        return None
    url = reverse("organisations:certificates", args=[organisation.pk])
    html = render_to_string("organisations/_certificates_slot.html", {"url": url})
    return {"title": _("Certificates and participation record"), "html": html}


def organisation_record(*, organisation_id: int) -> dict:
    """Everything the organisation's people (and the organisation) were certified for, with hours (one query)."""
    certificates = list(
        Certificate.objects.filter(organisation_id=organisation_id, revoked_at__isnull=True)
        .select_related("recipient")
        .order_by("-issued_at", "-pk")
    )
    hours = sum(float(c.details.get("hours") or 0) for c in certificates)
    return {"certificates": certificates, "total_hours": round(hours, 1)}


def _admin_access(request, pk: int):
    access = selectors.organisation_access(request=request, pk=pk)
    if not access.can_change:
        raise Http404
    return access


@require_GET
@consent_required
def certificates(request, pk: int):
    """The organisation's record across formats: who took part in what, hours. Admins and staff only."""
    access = _admin_access(request, pk)
    context = {"access": access, "organisation": access.organisation, **organisation_record(organisation_id=pk)}
    return render(request, "organisations/certificates.html", context)


@require_GET
@consent_required
def certificates_pdf(request, pk: int):
    """The same record as a PDF, made on request (one page per few dozen lines; no file is kept)."""
    access = _admin_access(request, pk)
    organisation = access.organisation
    context = {"organisation": organisation, "now": timezone.now(), **organisation_record(organisation_id=pk)}
    title = _("Participation record of %(organisation)s") % {"organisation": organisation.name}
    pdf = render_pdf(template="certificates/record.html", context=context, title=title, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="vamos-nachweise-{organisation.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
