"""The coaching part of a person's personal data (academy.privacy), and what deleting an account does here.

The export holds the cases the person appears in (they requested it, changed its status, or scheduled or
cancelled one of its sessions) as the organisation sees them: never the coaches' private notes. A coach also gets
their profile and the cases they coach (without notes: those are about the organisation, not about the coach).

Deleting an account: a coach's profile text and photo are erased and the profile takes no new cases; the case
files stay as they are. A case's texts (goals, situation, agreed goals) belong to the organisation, the client,
which keeps working with its coach on them; they no longer name the person, whose account is anonymised.
"""

from django.db import transaction
from django.db.models import Q

from academy.privacy import PersonalData

from .models import CaseEvent, CoachingCase, CoachProfile, Session


def _session(session: Session) -> dict:
    # Deliberately no private_note: it is the coach's and staff's only.
    return {
        "start": session.start,
        "end": session.end,
        "status": session.status,
        "format": session.format,
        "place": session.place,
        "held": session.held,
        "duration_minutes": session.duration_minutes,
        "agreed_next_steps": session.next_steps,
        "cancelled_at": session.cancelled_at,
        "cancel_reason": session.cancel_reason,
    }


def export(*, user) -> list[PersonalData]:
    """Cases the person appears in and, for a coach, the profile and coached cases (five queries)."""
    appears = (
        Q(requested_by=user)
        | Q(pk__in=CaseEvent.objects.filter(by=user).values("case_id"))
        | Q(pk__in=Session.objects.filter(Q(created_by=user) | Q(cancelled_by=user)).values("case_id"))
    )
    cases = (
        CoachingCase.objects.filter(appears)
        .select_related("organisation")
        .prefetch_related("topics", "sessions", "events")
        .order_by("created_at", "pk")
    )
    rows = [
        {
            "case_id": case.pk,
            "organisation": case.organisation.name,
            "requested_by_you": case.requested_by_id == user.pk,
            "kind": case.kind,
            "topics": [topic.name for topic in case.topics.all()],
            "goals": case.goals,
            "situation": case.situation,
            "preferred_format": case.preferred_format,
            "language": case.language,
            "region": case.region,
            "participants": case.participants,
            "time_frame": case.time_frame,
            "status": case.status,
            "submitted_at": case.created_at,
            "agreed_goals": case.agreed_goals,
            "goals_reached": case.goals_reached,
            "feedback_rating": case.feedback_rating,
            "feedback_comment": case.feedback_comment,
            "timeline": [
                {"status": event.status, "at": event.at, "note": event.note, "by_you": event.by_id == user.pk}
                for event in case.events.all()
            ],
            "sessions": [_session(session) for session in case.sessions.all()],
        }
        for case in cases
    ]
    parts = [PersonalData(section="coaching_cases", data=rows)]
    profile = CoachProfile.objects.filter(user=user).prefetch_related("topics").first()
    if profile is not None:
        coached = CoachingCase.objects.filter(coach=profile).select_related("organisation").order_by("created_at", "pk")
        parts.append(
            PersonalData(
                section="coach_profile",
                data={
                    "about_me": profile.bio,
                    "photo": bool(profile.photo),
                    "topics": [topic.name for topic in profile.topics.all()],
                    "languages": profile.languages,
                    "regions": profile.regions,
                    "offers_online": profile.offers_online,
                    "offers_in_person": profile.offers_in_person,
                    "takes_new_cases": profile.is_active,
                    "cases_coached": [
                        {"case_id": case.pk, "organisation": case.organisation.name, "status": case.status}
                        for case in coached
                    ],
                },
            )
        )
    return parts


def erase(*, user, keep_certificates: bool, now) -> dict:
    """A coach's profile text and photo go; the profile takes no new cases."""
    profile = CoachProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        return {}
    if profile.photo:
        storage, name = profile.photo.storage, profile.photo.name
        transaction.on_commit(lambda: storage.delete(name))  # the file goes only once the erasure has committed
        profile.photo = ""
    profile.bio = ""
    profile.is_active = False
    profile.save(update_fields=["bio", "photo", "is_active"])
    return {"coach_profile_erased": 1}


def register() -> None:
    from academy.privacy import personal_data_erasers, personal_data_providers

    if export not in personal_data_providers:
        personal_data_providers.append(export)
    if erase not in personal_data_erasers:
        personal_data_erasers.append(erase)
