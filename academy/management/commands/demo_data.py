"""Demo data for `make run`: the portal as a person would meet it. Idempotent: running it twice changes nothing.

Every later feature adds its part here, through a function of its own app's `demo.py`.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from academy import roles
from academy.models import User

DEMO_PASSWORD = "vamos-demo-2026"  # noqa: S105 - demo only, printed on purpose

PEOPLE = [
    # email, first, last, role, is_staff, is_superuser, description
    ("team@vamos.example", "Amira", "Haddad", roles.STAFF, True, True, "VAMOs staff (admin)"),
    ("coach@vamos.example", "Jonas", "Weber", roles.COACH, False, False, "coach"),
    ("trainerin@vamos.example", "Elif", "Yılmaz", roles.TRAINER, False, False, "trainer"),
    ("mitglied@vamos.example", "Dimitri", "Ivanov", None, False, False, "member of an association"),
]


class Command(BaseCommand):
    help = "Creates the demo people and content (idempotent) and prints the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        for email, first, last, role, is_staff, is_superuser, _description in PEOPLE:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    display_name=first,
                    is_staff=is_staff,
                    is_superuser=is_superuser,
                )
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            if role:
                user.groups.add(Group.objects.get(name=role))

        from organisations.demo import create_demo as create_organisations_demo

        logins = [(email, description) for email, _first, _last, _role, _staff, _superuser, description in PEOPLE]
        logins += create_organisations_demo(password=DEMO_PASSWORD)

        from events.demo import create_demo as create_events_demo

        create_events_demo()

        from coaching.demo import create_demo as create_coaching_demo

        logins += create_coaching_demo(password=DEMO_PASSWORD)

        from elearning.demo import create_demo as create_elearning_demo

        create_elearning_demo()

        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for email, description in logins:
            self.stdout.write(f"  {email:<28} {description}")
