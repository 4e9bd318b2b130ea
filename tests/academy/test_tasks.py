"""Mailing the team about a contact message: once, in full, and safe to run again."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from academy import services
from academy.models import ContactMessage
from academy.tasks import notify_team_of_contact_message, ping


@pytest.fixture
def contact(django_capture_on_commit_callbacks):
    # Stored without running the on-commit hook, so each test runs the task itself.
    with django_capture_on_commit_callbacks(execute=False):
        return services.contact_message_create(
            name="Ayşe Yılmaz",
            email="ayse@verein.example",
            organisation="Kulturverein Köln & Umgebung e. V.",
            subject="Fragen & Antworten zu <Seminaren>",
            message="Erste Zeile\nZweite Zeile <script>alert(1)</script>",
        )


@pytest.mark.django_db
def test_the_team_receives_the_whole_message_with_a_link_to_the_admin(contact, settings):
    notify_team_of_contact_message(contact.pk)

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [settings.VAMOS_TEAM_EMAIL]
    assert sent.reply_to == ["ayse@verein.example"]
    assert sent.subject.startswith("[VAMOs] ")
    assert "Fragen & Antworten zu <Seminaren>" in sent.subject, "the subject line is plain text, not HTML"
    assert "\n" not in sent.subject
    admin_url = settings.SITE_URL + reverse("admin:academy_contactmessage_change", args=[contact.pk])
    for text in (
        "Ayşe Yılmaz",
        "ayse@verein.example",
        "Kulturverein Köln & Umgebung e. V.",
        "Erste Zeile\nZweite Zeile <script>alert(1)</script>",
        admin_url,
    ):
        assert text in sent.body, "the text part is plain text, not HTML-escaped"

    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{admin_url}"' in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "Erste Zeile<br>Zweite Zeile" in html
    assert "Kulturverein Köln &amp; Umgebung e. V." in html


@pytest.mark.django_db
def test_the_mail_says_why_it_was_sent(contact):
    notify_team_of_contact_message(contact.pk)

    sent = mail.outbox[0]
    assert "\n-- \n" in sent.body
    assert sent.body.strip().splitlines()[-1].strip()


@pytest.mark.django_db
def test_the_message_is_marked_as_notified(contact):
    notify_team_of_contact_message(contact.pk)

    contact.refresh_from_db()
    assert contact.notified_at is not None
    assert contact.status == ContactMessage.Status.NEW


@pytest.mark.django_db
def test_running_the_task_twice_sends_one_mail(contact):
    notify_team_of_contact_message(contact.pk)
    notify_team_of_contact_message(contact.pk)

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_message_deleted_meanwhile_is_skipped(contact):
    contact_id = contact.pk
    contact.delete()

    notify_team_of_contact_message(contact_id)

    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_delivery_leaves_the_message_unnotified_so_a_retry_sends_it(contact):
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError),
        pytest.raises(OSError),
    ):
        notify_team_of_contact_message(contact.pk)

    contact.refresh_from_db()
    assert contact.notified_at is None

    notify_team_of_contact_message(contact.pk)

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_mail_is_enqueued_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.contact_message_create(name="A", email="a@example.org", subject="S", message="M")

    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_spam_is_never_mailed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.contact_message_create(name="A", email="a@example.org", subject="S", message="M", spam=True)

    assert callbacks == []
    assert mail.outbox == []


def test_ping_answers_with_its_token():
    from celery.result import allow_join_result

    with allow_join_result():
        assert ping.delay("abc").get(timeout=5) == "pong:abc"
