import pytest
from django.urls import reverse

from academy import roles
from academy.models import ContactMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:index",
    "admin:academy_user_changelist",
    "admin:academy_user_add",
    "admin:academy_topic_changelist",
    "admin:academy_contactmessage_changelist",
]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, roles=[roles.STAFF]))
    return client


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_vamos_staff_work_in_the_admin(staff_client, name):
    assert staff_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_people_without_staff_status_are_sent_to_the_login(client, name):
    client.force_login(UserFactory(roles=[roles.COACH]))

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_mark_contact_messages_as_answered(staff_client):
    message = ContactMessage.objects.create(name="A", email="a@verein.example", subject="Frage", message="Hallo")

    staff_client.post(
        reverse("admin:academy_contactmessage_changelist"),
        {"action": "mark_answered", "_selected_action": [message.pk]},
    )

    message.refresh_from_db()
    assert message.status == ContactMessage.Status.ANSWERED


def test_topic_change_page_shows_both_languages(staff_client):
    from academy.models import Topic

    topic = Topic.objects.first()
    page = staff_client.get(reverse("admin:academy_topic_change", args=[topic.pk])).content.decode()

    assert 'name="name_de"' in page
    assert 'name="name_en"' in page
