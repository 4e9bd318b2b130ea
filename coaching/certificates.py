"""Coaching certificates for the organisation (sessions held and hours) through academy.certificates.

Rule: the case is completed. Registered in CoachingConfig.ready; case_complete issues after commit. The
certificate has no person (recipient None): it belongs to the organisation, whose admins download it.
"""

from academy.certificates import CertificateContent
from academy.models import Certificate
from academy.outbox import enqueue

from .models import CoachingCase, Session

KIND = Certificate.Kind.COACHING


def build(*, subject_key: str, recipient) -> CertificateContent | None:
    case_id = int(subject_key.removeprefix("coaching:"))
    case = (
        CoachingCase.objects.filter(pk=case_id, status=CoachingCase.Status.COMPLETED)
        .select_related("organisation", "coach__user")
        .prefetch_related("topics")
        .first()
    )
    if case is None:
        return None
    held = list(Session.objects.filter(case=case, held=True).exclude(status=Session.Status.CANCELLED).order_by("start"))
    minutes = sum(session.duration_minutes or session.minutes for session in held)
    return CertificateContent(
        title=str(case.get_kind_display()).capitalize(),
        organisation_id=case.organisation_id,
        organisation_name=case.organisation.name,
        details={
            "dates": [{"start": s.start.isoformat(), "end": s.end.isoformat()} for s in held],
            "sessions": len(held),
            "hours": round(minutes / 60, 1),
            "topics": [topic.name for topic in case.topics.all()],
            "trainers": [case.coach.user.get_full_name()] if case.coach_id else [],
            "contents": case.agreed_goals,
        },
    )


def issue_after_completion(*, case: CoachingCase) -> None:
    """Called by case_complete: issue the organisation's certificate after commit."""
    from academy.tasks import issue_certificate

    key = f"coaching:{case.pk}"
    enqueue(issue_certificate, KIND, key, None)
