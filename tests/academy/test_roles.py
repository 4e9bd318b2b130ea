import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.core.management import call_command

from academy import roles
from academy.models import Topic, User
from academy.signals import STAFF_APPS
from organisations.models import AssessmentStatement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_roles_exist_as_groups_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {roles.STAFF, roles.COACH, roles.TRAINER}


def test_vamos_staff_may_manage_every_model_of_the_portal():
    staff = Group.objects.get(name=roles.STAFF)
    labels = set(staff.permissions.values_list("content_type__app_label", flat=True))

    assert "academy" in labels
    assert labels <= set(STAFF_APPS)
    assert staff.permissions.filter(codename="change_topic").exists()
    assert not Group.objects.get(name=roles.COACH).permissions.exists()


def test_the_seven_topics_are_seeded_in_every_language_and_so_are_the_organisationschecks_statements():
    topics = list(Topic.objects.all())

    assert [t.name_de for t in topics] == [
        "Projektmanagement",
        "Finanzierung",
        "Strategieentwicklung",
        "Personalentwicklung und -management",
        "Öffentlichkeitsarbeit",
        "Mitgliedermanagement",
        "Politische Interessenvertretung",
    ]
    languages = [code for code, _name in settings.LANGUAGES]
    for topic in topics:
        assert all(getattr(topic, f"name_{code}") and getattr(topic, f"description_{code}") for code in languages)
    assert [t.name_tr for t in topics][:2] == ["Proje yönetimi", "Finansman"]  # the glossary's words
    statements = list(AssessmentStatement.objects.all())
    assert len(statements) == 21
    assert all(getattr(statement, f"text_{code}") for statement in statements for code in languages)


def test_has_role_checks_group_membership_now():
    coach = UserFactory(roles=[roles.COACH])
    other = UserFactory(roles=[roles.STAFF])

    assert roles.has_role(coach, roles.COACH)
    assert not roles.has_role(coach, roles.STAFF)
    assert not roles.has_role(other, roles.COACH)
    assert not roles.has_role(AnonymousUser(), roles.COACH)

    coach.groups.remove(Group.objects.get(name=roles.COACH))  # taken away: the next request knows
    assert not roles.has_role(coach, roles.COACH)


def test_demo_data_is_idempotent_and_logs_in(client, capsys):
    call_command("demo_data")
    first = (User.objects.count(), Group.objects.get(name=roles.STAFF).user_set.count())
    call_command("demo_data")

    assert (User.objects.count(), Group.objects.get(name=roles.STAFF).user_set.count()) == first
    assert "team@vamos.example" in capsys.readouterr().out
    from academy.management.commands.demo_data import DEMO_PASSWORD

    assert client.login(username="team@vamos.example", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200
