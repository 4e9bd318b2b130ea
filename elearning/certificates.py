"""Module-completion certificates through academy.certificates (registered in ElearningConfig.ready).

Rule: the enrolment is completed. The organisation on the certificate is the person's first organisation
they share their learning progress with (no ProgressSharing row means they share), or none.
"""

from django.db.models import Exists, OuterRef

from academy.certificates import CertificateContent
from academy.models import Certificate
from academy.outbox import enqueue
from organisations.models import Membership

from .models import Enrolment, ProgressSharing

KIND = Certificate.Kind.MODULE


def build(*, subject_key: str, recipient) -> CertificateContent | None:
    module_id = int(subject_key.removeprefix("module:"))
    enrolment = (
        Enrolment.objects.filter(module_id=module_id, user=recipient, completed_at__isnull=False)
        .select_related("module")
        .prefetch_related("module__topics")
        .first()
    )
    if enrolment is None:
        return None
    withheld = ProgressSharing.objects.filter(membership=OuterRef("pk"), shares=False)
    membership = (
        Membership.objects.filter(user=recipient)
        .exclude(Exists(withheld))
        .select_related("organisation")
        .order_by("created_at", "pk")
        .first()
    )
    module = enrolment.module
    completed = enrolment.completed_at.isoformat()
    return CertificateContent(
        title=module.title,
        organisation_id=membership.organisation_id if membership else None,
        organisation_name=membership.organisation.name if membership else "",
        details={
            "dates": [{"start": completed, "end": ""}],
            "hours": round(module.estimated_minutes / 60, 1),
            "topics": [topic.name for topic in module.topics.all()],
            "online": True,
            "contents": "\n".join(module.goals) or module.summary,
            "format": "e-learning",
        },
    )


def issue_after_completion(*, enrolment: Enrolment) -> None:
    """Called when an enrolment is completed: issue the certificate after commit."""
    from academy.tasks import issue_certificate

    key, person_id = f"module:{enrolment.module_id}", enrolment.user_id
    enqueue(issue_certificate, KIND, key, person_id)
