"""Personal data under the GDPR (DSGVO): a person's data export, deleting an account, and the retention jobs.

academy imports no offer app. Each app that holds personal data registers, in its AppConfig.ready:

    from academy.privacy import PersonalData, personal_data_erasers, personal_data_providers, retention_jobs

    def export(*, user) -> PersonalData:          # what the app holds about the person (JSON-serialisable)
        return PersonalData(section="bookings", data=[...], files=[ExportFile(name=..., read=...)])

    def erase(*, user, keep_certificates, now) -> dict:   # erase the app's personal free text, at once
        return {"feedback_comments_erased": 2}

    personal_data_providers.append(export)
    personal_data_erasers.append(erase)
    retention_jobs["participant_lists"] = job       # job(*, now) -> (cutoff or None, counts)

What deleting an account means (user_delete_account):
- the user row stays, emptied by `academy.services.user_anonymise` (address on the reserved .invalid domain, no
  names, no password, inactive, no roles, no second factors), so bookings, attendance, enrolments, quiz
  attempts and cases stay as anonymous records and the statistics do not change;
- every registered eraser runs first, in the same transaction: free text the person wrote that may name them
  or others is erased (event feedback comments, join-request messages, a coach's profile text and photo),
  future bookings are cancelled through the events service (the waiting list moves up), admin roles are
  given up (an organisation left without an active admin is flagged to staff and mailed to the team);
- academy's own part: contact messages from the person are deleted, data exports deleted, certificates either
  revoked (the default) or kept verifiable as "issued" without the name, at the person's choice. Either way the
  name is taken off the certificate; a kept one gets a new PDF without it, a revoked one loses its PDF.
- kept on purpose: coaching case texts (goals, situation) belong to the organisation's case file and are needed
  by the organisation and its coach; consent records (proof of what was consented to, now anonymous); the
  history rows of bookings and memberships (who changed what, pointing at the anonymous row).
"""

import io
import json
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import CalendarFeedToken, Certificate, ContactMessage, DataExport, RetentionRun, User

logger = logging.getLogger(__name__)

EXPORT_VALID_DAYS = 7
UNVERIFIED_ACCOUNT_DAYS = 30
# Staff read this on a revoked certificate; the verification page only says "revoked".
REVOKED_ON_DELETION = "Revoked when the person deleted their account (GDPR Art. 17)."


@dataclass(frozen=True)
class ExportFile:
    name: str  # path inside the ZIP, e.g. "certificates/vamos-nachweis-abc.pdf"
    read: Callable[[], bytes]


@dataclass
class PersonalData:
    section: str  # the key in the JSON file, e.g. "bookings"
    data: Any  # JSON-serialisable (DjangoJSONEncoder: datetimes and dates as ISO 8601)
    files: list[ExportFile] = field(default_factory=list)


personal_data_providers: list[Callable[..., PersonalData]] = []
personal_data_erasers: list[Callable[..., dict]] = []
retention_jobs: dict[str, Callable[..., tuple[datetime | None, dict]]] = {}


def retention_years() -> int:
    return int(getattr(settings, "VAMOS_RETENTION_YEARS", 10))


def retention_cutoff(now: datetime) -> datetime:
    """`now` minus VAMOS_RETENTION_YEARS whole years (29 February falls back to the 28th)."""
    years = retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


# ---- what the portal holds about a person ---------------------------------------------------------------------


def _read_file(file_field) -> Callable[[], bytes]:
    name = file_field.name
    storage = file_field.storage

    def read() -> bytes:
        with storage.open(name, "rb") as handle:
            return handle.read()

    return read


def _academy_personal_data(*, user: User) -> list[PersonalData]:
    """The account, certificates (with their PDFs), calendar feed links (whether one exists, never the secret),
    contact messages sent and earlier data exports (five queries plus one per certificate PDF read later)."""
    from allauth.account.models import EmailAddress

    try:
        from allauth.mfa.models import Authenticator
    except ImportError:  # pragma: no cover - allauth.mfa is installed
        second_factors = []
    else:
        second_factors = [
            {"type": kind, "created_at": created}
            for kind, created in Authenticator.objects.filter(user=user).values_list("type", "created_at")
        ]
    profile = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "language": user.language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_staff": user.is_staff,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": email, "verified": verified, "primary": primary}
            for email, verified, primary in EmailAddress.objects.filter(user=user).values_list(
                "email", "verified", "primary"
            )
        ],
        "two_factor_methods": second_factors,
    }
    certificates, files = [], []
    for certificate in Certificate.objects.filter(recipient=user).order_by("issued_at", "pk"):
        pdf = f"certificates/vamos-nachweis-{certificate.code}.pdf" if certificate.file else ""
        certificates.append(
            {
                "kind": certificate.kind,
                "title": certificate.title,
                "name_on_certificate": certificate.recipient_name,
                "organisation": certificate.organisation_name,
                "details": certificate.details,
                "issued_at": certificate.issued_at,
                "verification_code": certificate.code,
                "revoked_at": certificate.revoked_at,
                "file": pdf,
            }
        )
        if pdf:
            files.append(ExportFile(name=pdf, read=_read_file(certificate.file)))
    feeds = [
        {"created_at": created, "revoked_at": revoked, "active": revoked is None}
        for created, revoked in CalendarFeedToken.objects.filter(user=user).values_list("created_at", "revoked_at")
    ]
    messages = list(
        _contact_messages_of(user).values("created_at", "name", "email", "organisation", "subject", "message")
    )
    exports = list(DataExport.objects.filter(user=user).values("requested_at", "status", "finished_at"))
    return [
        PersonalData(section="profile", data=profile),
        PersonalData(section="certificates", data=certificates, files=files),
        PersonalData(section="calendar_feed_links", data=feeds),
        PersonalData(section="contact_messages", data=messages),
        PersonalData(section="data_exports", data=exports),
    ]


def _contact_messages_of(user: User):
    from django.db.models import Q

    return ContactMessage.objects.filter(Q(user=user) | Q(email__iexact=user.email)).order_by("created_at")


def personal_data_collect(*, user: User) -> list[PersonalData]:
    """Everything the portal holds about the person: academy's part and every registered provider's."""
    parts = _academy_personal_data(user=user)
    for provider in personal_data_providers:
        result = provider(user=user)
        parts.extend(result if isinstance(result, list) else [result])
    return parts


README = """\
{title}

{generated}: {now}
{contents}
- vamos-data.json: {json}
- certificates/: {pdfs}

{questions} {team}
"""


def personal_data_zip(*, user: User, now: datetime | None = None) -> bytes:
    """One ZIP: vamos-data.json (every section), the certificate PDFs and a short README, in the person's language."""
    now = now or timezone.now()
    parts = personal_data_collect(user=user)
    document = {
        "generated_at": now,
        "portal": settings.SITE_URL,
        **{part.section: part.data for part in parts},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vamos-data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        written = set()
        for part in parts:
            for export_file in part.files:
                if export_file.name in written:
                    continue
                try:
                    archive.writestr(export_file.name, export_file.read())
                except FileNotFoundError:
                    logger.warning("data export: file %s is missing", export_file.name)
                    continue
                written.add(export_file.name)
        with translation.override(user.language):
            archive.writestr(
                "README.txt",
                README.format(
                    title=_("Your data in the VAMOs portal"),
                    generated=_("Made on"),
                    now=now.isoformat(timespec="minutes"),
                    contents=_("Contents:"),
                    json=_("everything the portal holds about you, as JSON"),
                    pdfs=_("your certificates as PDF"),
                    questions=_("Questions? Write to"),
                    team=settings.VAMOS_TEAM_EMAIL,
                ),
            )
    return buffer.getvalue()


# ---- the data export ----------------------------------------------------------------------------------------------


def data_export_request(*, user: User) -> tuple[DataExport, bool]:
    """Asks for a data export; a task builds it after commit. Returns (export, created): while one is being
    prepared, a second request returns that one (a partial UniqueConstraint holds under concurrency)."""
    from django.db import IntegrityError

    from .outbox import enqueue
    from .tasks import build_data_export

    pending = DataExport.objects.filter(user=user, status=DataExport.Status.PENDING).first()
    if pending is not None:
        return pending, False
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
    except IntegrityError:
        return DataExport.objects.get(user=user, status=DataExport.Status.PENDING), False
    enqueue(build_data_export, export.pk)
    return export, True


def data_export_build(*, export_id: int, now: datetime | None = None) -> DataExport | None:
    """Builds the ZIP of a pending export and marks it ready for 7 days. Under the export's row lock; an export
    no longer pending is left alone, so a second run does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").filter(pk=export_id).first()
        if export is None or export.status != DataExport.Status.PENDING:
            return export
        content = personal_data_zip(user=export.user, now=now)
        export.file.save("export.zip", ContentFile(content), save=False)
        export.size = len(content)
        export.status = DataExport.Status.READY
        export.finished_at = now
        export.expires_at = now + timedelta(days=EXPORT_VALID_DAYS)
        export.save(update_fields=["file", "size", "status", "finished_at", "expires_at"])
    return export


def data_export_notify(*, export_id: int) -> bool:
    """Mails the person the link to a ready export, once (notified_at under the row lock)."""
    from .mail import send_templated_mail

    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").filter(pk=export_id).first()
        if export is None or export.status != DataExport.Status.READY or export.notified_at is not None:
            return False
        user = export.user
        send_templated_mail(
            template="data_export_ready",
            to=[user.email],
            context={
                "user": user,
                "export": export,
                "download_url": settings.SITE_URL + reverse("academy:data_export_download", args=[export.pk]),
                "my_data_url": settings.SITE_URL + reverse("academy:my_data"),
            },
            language=user.language,
        )
        export.notified_at = timezone.now()
        export.save(update_fields=["notified_at"])
    return True


def data_export_for_download(*, user: User, pk: int, now: datetime | None = None) -> DataExport | None:
    """The export if it is the person's own, ready and not expired; None otherwise (the view answers 404)."""
    if not user.is_authenticated:
        return None
    export = DataExport.objects.filter(pk=pk, user=user).first()
    if export is None or not export.is_downloadable(now=now):
        return None
    return export


def _delete_files_after_commit(files: list) -> None:
    """Files are deleted only once the transaction that forgot them has committed."""

    def delete():
        for storage, name in files:
            try:
                storage.delete(name)
            except OSError:  # pragma: no cover - a missing file is what we want anyway
                logger.warning("could not delete %s", name)

    if files:
        transaction.on_commit(delete)


def data_exports_purge(*, now: datetime) -> tuple[datetime, dict]:
    """Retention job: exports past their 7 days lose their file and are marked expired (the row stays as a
    record that the person asked)."""
    expired = 0
    files = []
    with transaction.atomic():
        for export in DataExport.objects.select_for_update().filter(
            status=DataExport.Status.READY, expires_at__lte=now
        ):
            if export.file:
                files.append((export.file.storage, export.file.name))
            export.file = ""
            export.status = DataExport.Status.EXPIRED
            export.save(update_fields=["file", "status"])
            expired += 1
        _delete_files_after_commit(files)
    return now, {"exports_expired": expired}


# ---- deleting an account --------------------------------------------------------------------------------------------


def _academy_erase(*, user: User, keep_certificates: bool, now: datetime) -> dict:
    """Certificates: the name comes off; kept ones stay valid and get a new PDF without it, the others are
    revoked and lose their PDF. Contact messages of the person are deleted, and so are their data exports."""
    from .outbox import enqueue
    from .tasks import render_certificate

    files = []
    kept = revoked = 0
    for certificate in Certificate.objects.select_for_update().filter(recipient=user):
        certificate.recipient_name = ""
        if keep_certificates and certificate.revoked_at is None:
            certificate.save(update_fields=["recipient_name"])
            enqueue(render_certificate, certificate.pk)
            kept += 1
            continue
        if certificate.file:
            files.append((certificate.file.storage, certificate.file.name))
            certificate.file = ""
        if certificate.revoked_at is None:
            certificate.revoked_at = now
            certificate.revoked_reason = REVOKED_ON_DELETION
            revoked += 1
        certificate.save(update_fields=["recipient_name", "file", "revoked_at", "revoked_reason"])
    messages = _contact_messages_of(user).delete()[0]
    for export in DataExport.objects.filter(user=user).exclude(file=""):
        files.append((export.file.storage, export.file.name))
    exports = DataExport.objects.filter(user=user).delete()[0]
    _delete_files_after_commit(files)
    return {
        "certificates_kept": kept,
        "certificates_revoked": revoked,
        "contact_messages_deleted": messages,
        "data_exports_deleted": exports,
    }


def user_erase(*, user: User, keep_certificates: bool = False, now: datetime | None = None) -> dict:
    """Erases a person at once: every app's eraser, then `user_anonymise` on the row, in one transaction under
    the person's row lock. Returns what was done, per app. Superusers are refused (ValidationError)."""
    from .services import user_anonymise

    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_superuser:
            raise ValidationError(_("A superuser account cannot be deleted here."), code="superuser")
        done = _academy_erase(user=user, keep_certificates=keep_certificates, now=now)
        for eraser in personal_data_erasers:
            done.update(eraser(user=user, keep_certificates=keep_certificates, now=now) or {})
        user_anonymise(user=user)
    return done


def user_delete_account(*, user: User, keep_certificates: bool = False, now: datetime | None = None) -> dict:
    """The person deletes their own account (the view has checked their password). See the module docstring."""
    done = user_erase(user=user, keep_certificates=keep_certificates, now=now)
    logger.info("account deleted by its owner", extra={"user_id": user.pk, **done})
    return done


# ---- retention jobs (Celery beat) ---------------------------------------------------------------------------------

# Things a never-used account may own and lose with it; anything else (a seat someone booked for the person, a
# history entry) makes the job anonymise the account instead, so that the record keeps counting.
ACCOUNT_TRIVIA = {
    "academy.user",
    "academy.user_groups",
    "academy.user_user_permissions",
    "academy.calendarfeedtoken",
    "academy.sentreminder",
    "academy.dataexport",
    "account.emailaddress",
    "account.emailconfirmation",
    "mfa.authenticator",
    "usersessions.usersession",
    "organisations.consentrecord",
    "elearning.learningpreferences",
}


def _only_trivia(user: User) -> bool:
    from django.db.models.deletion import Collector

    collector = Collector(using="default", origin=user)
    collector.collect([user])
    if any(model._meta.label_lower not in ACCOUNT_TRIVIA for model in collector.data):
        return False
    for queryset in collector.fast_deletes:
        if queryset.model._meta.label_lower not in ACCOUNT_TRIVIA and queryset.exists():
            return False
    for updates in collector.field_updates.values():
        for objects in updates:
            if hasattr(objects, "exists") and not objects.exists():
                continue
            if objects:
                return False
    return True


def unverified_accounts_remove(*, now: datetime) -> tuple[datetime, dict]:
    """Retention job: accounts older than 30 days that never confirmed an address and never logged in.

    They cannot have done anything themselves (login needs a confirmed address), so they are deleted with what
    only they own (address, consent). Should someone else have recorded something for them (staff booked them a
    seat), the account is anonymised instead: the record stays and keeps counting. Staff accounts are left alone.
    """
    from allauth.account.models import EmailAddress

    from .services import user_anonymise

    cutoff = now - timedelta(days=UNVERIFIED_ACCOUNT_DAYS)
    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    candidates = User.objects.filter(
        date_joined__lt=cutoff,
        last_login__isnull=True,
        is_active=True,
        is_staff=False,
        is_superuser=False,
    ).exclude(pk__in=verified)
    deleted = anonymised = 0
    for user in candidates.iterator():
        with transaction.atomic():
            if _only_trivia(user):
                user.delete()
                deleted += 1
            else:
                user_anonymise(user=user)
                anonymised += 1
    return cutoff, {"accounts_deleted": deleted, "accounts_anonymised": anonymised}


retention_jobs["unverified_accounts"] = unverified_accounts_remove
retention_jobs["data_exports"] = data_exports_purge


def retention_run(*, job: str, now: datetime | None = None) -> RetentionRun:
    """Runs one retention job and logs the run (RetentionRun: started, finished, cutoff, counts, or the error).

    Each job is safe to run twice: it selects what is still due, and what it has done is no longer due.
    """
    if job not in retention_jobs:
        raise ValueError(f"Unknown retention job: {job}")
    now = now or timezone.now()
    run = RetentionRun.objects.create(job=job, started_at=timezone.now())
    try:
        cutoff, counts = retention_jobs[job](now=now)
    except Exception as error:
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        raise
    run.cutoff = cutoff
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["cutoff", "counts", "finished_at"])
    logger.info("retention job %s done", job, extra={"job": job, **counts})
    return run
