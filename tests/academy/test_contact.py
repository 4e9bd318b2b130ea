"""The contact form: a person's message reaches the team; bots are kept out without losing anything."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from academy.models import ContactMessage
from tests.academy.conftest import contact_stamp
from tests.factories import UserFactory

URL = reverse("academy:contact")


def send(client, data, capture):
    with capture(execute=True):
        return client.post(URL, data)


@pytest.mark.django_db
def test_the_form_is_shown_with_the_honeypot_hidden_and_the_stamp_in_a_hidden_field(client, settings):
    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    hp_start = html.index('<div class="vamos-hp" aria-hidden="true">')
    assert html.index('name="website"', hp_start) < html.index("</div>", html.index('name="website"'))
    assert 'type="hidden" name="shown_at"' in html
    assert f'href="mailto:{settings.VAMOS_TEAM_EMAIL}"' in html
    for field in ("name", "email", "organisation", "subject", "message"):
        assert f'id="id_{field}"' in html
        assert f'for="id_{field}"' in html


@pytest.mark.django_db
def test_a_message_is_stored_and_mailed_to_the_team_with_reply_to_the_sender(
    client, contact_data, settings, django_capture_on_commit_callbacks
):
    response = send(client, contact_data, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("academy:contact_sent")
    contact = ContactMessage.objects.get()
    assert contact.status == ContactMessage.Status.NEW
    assert contact.name == contact_data["name"]
    assert contact.organisation == contact_data["organisation"]
    assert contact.message == contact_data["message"]
    assert contact.language == "de"
    assert contact.user is None
    assert contact.notified_at is not None

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [settings.VAMOS_TEAM_EMAIL]
    assert sent.reply_to == [contact_data["email"]]
    assert contact_data["subject"] in sent.subject
    assert contact_data["name"] in sent.body


@pytest.mark.django_db
def test_the_thank_you_page_confirms_the_message(client, contact_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, contact_data, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("academy:contact_sent"), 302)]
    assert len(list(response.context["messages"])) == 1


@pytest.mark.django_db
def test_a_filled_honeypot_is_stored_as_spam_without_mail_but_thanked_alike(
    client, contact_data, django_capture_on_commit_callbacks
):
    contact_data["website"] = "https://cheap-pills.example"

    response = send(client, contact_data, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("academy:contact_sent")
    assert ContactMessage.objects.get().status == ContactMessage.Status.SPAM
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stamp",
    [
        pytest.param(lambda: contact_stamp(seconds_ago=1), id="sent-back-within-seconds"),
        pytest.param(lambda: "", id="stamp-missing"),
        pytest.param(lambda: "shown:forged:stamp", id="stamp-forged"),
    ],
)
def test_a_form_sent_back_too_fast_or_without_a_valid_stamp_is_spam(
    client, contact_data, django_capture_on_commit_callbacks, stamp
):
    contact_data["shown_at"] = stamp()

    response = send(client, contact_data, django_capture_on_commit_callbacks)

    assert response.url == reverse("academy:contact_sent")
    assert ContactMessage.objects.get().status == ContactMessage.Status.SPAM
    assert mail.outbox == []


@pytest.mark.django_db
def test_spam_and_real_messages_get_the_same_thank_you(client, contact_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        real = client.post(URL, contact_data, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        spam = client.post(URL, {**contact_data, "website": "bot"}, follow=True)

    assert real.redirect_chain == spam.redirect_chain
    assert [str(m) for m in real.context["messages"]] == [str(m) for m in spam.context["messages"]]


@pytest.mark.django_db
def test_an_invalid_address_is_named_next_to_its_field_and_the_typing_is_kept(
    client, contact_data, django_capture_on_commit_callbacks
):
    contact_data["email"] = "ayse-at-verein"

    response = send(client, contact_data, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    html = response.content.decode()
    field = html[html.index('id="div_id_email"') :]
    field = field[: field.index('id="div_id_organisation"')]
    assert "is-invalid" in field
    assert 'aria-invalid="true"' in field
    assert 'id="error_1_id_email"' in field
    assert 'value="ayse-at-verein"' in field
    assert f'value="{contact_data["name"]}"' in html
    assert f'value="{contact_data["subject"]}"' in html
    assert "welche Seminare es zur Finanzierung gibt." in html
    assert ContactMessage.objects.count() == 0
    assert mail.outbox == []


CONTACT_LIMIT = int(settings.CONTACT_RATE_LIMIT.split("/")[0])


@pytest.mark.django_db
def test_required_fields_left_empty_are_each_named(client, django_capture_on_commit_callbacks):
    response = send(client, {"shown_at": contact_stamp(seconds_ago=60)}, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "email", "subject", "message"}
    assert ContactMessage.objects.count() == 0


@pytest.mark.django_db
def test_the_sixth_message_within_an_hour_from_one_address_is_refused(
    client, contact_data, django_capture_on_commit_callbacks
):
    for _ in range(CONTACT_LIMIT):
        assert send(client, contact_data, django_capture_on_commit_callbacks).status_code == 302

    response = send(client, contact_data, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert str(form.non_field_errors()[0]) in response.content.decode()
    assert ContactMessage.objects.count() == CONTACT_LIMIT
    assert len(mail.outbox) == CONTACT_LIMIT
    assert f'value="{contact_data["name"]}"' in response.content.decode()


@pytest.mark.django_db
def test_another_address_is_not_held_back_by_the_limit(client, contact_data, django_capture_on_commit_callbacks):
    for _ in range(CONTACT_LIMIT):
        send(client, contact_data, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, contact_data, REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 302
    assert ContactMessage.objects.count() == CONTACT_LIMIT + 1


@pytest.mark.django_db
def test_a_signed_in_person_finds_name_and_address_filled_in(client):
    user = UserFactory(first_name="Kemal", last_name="Demir", email="kemal@verband.example")
    client.force_login(user)

    response = client.get(URL)

    form = response.context["form"]
    assert form.initial["name"] == "Kemal Demir"
    assert form.initial["email"] == "kemal@verband.example"
    html = response.content.decode()
    assert 'value="Kemal Demir"' in html
    assert 'value="kemal@verband.example"' in html


@pytest.mark.django_db
def test_a_signed_in_persons_message_is_linked_to_them(client, contact_data, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)

    send(client, contact_data, django_capture_on_commit_callbacks)

    assert ContactMessage.objects.get().user == user


@pytest.mark.django_db
def test_a_message_written_in_english_is_stored_with_its_language(
    client, contact_data, django_capture_on_commit_callbacks
):
    client.cookies["vamos_language"] = "en"

    send(client, contact_data, django_capture_on_commit_callbacks)

    assert ContactMessage.objects.get().language == "en"


@pytest.mark.django_db
def test_the_thank_you_message_is_shown_once(client, contact_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, contact_data)
    request = response.wsgi_request

    assert len(list(get_messages(request))) == 1
