"""End-to-end: a newcomer signs up and registers an organisation, staff approve it in the admin, the newcomer
invites a colleague who joins. axe-core checks every page of the portal (tests/browser/conftest.Portal)."""

import re

import pytest

from academy.models import Topic
from organisations.models import AssessmentStatement, Membership, Organisation
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Vereinsarbeit-2025!"
LOGOUT_BUTTON = "header form[action$='/konto/logout/'] button[type=submit]"


def submit(tab, selector="main form[method=post] button[type=submit]"):
    with tab.page.expect_navigation():
        tab.page.locator(selector).last.click()
    tab.check_accessibility()


def log_in(tab, email, password):
    tab.visit("/konto/login/")
    tab.page.fill("#id_login", email)
    tab.page.fill("#id_password", password)
    submit(tab, "main form button[type=submit]")


def log_out(tab):
    tab.visit("/")
    with tab.page.expect_navigation():
        tab.page.locator(LOGOUT_BUTTON).click()


def test_register_approve_invite_join(portal, mailoutbox):
    page = portal.page

    # A newcomer signs up and confirms the address.
    portal.visit("/konto/signup/")
    page.fill("#id_first_name", "Amina")
    page.fill("#id_last_name", "Yılmaz")
    page.fill("#id_email", "amina@verein.example")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    submit(portal, "form.form-signup button[type=submit]")
    link = re.search(r"https?://\S+/konto/confirm-email/[^/\s]+/", mailoutbox[0].body).group(0)
    portal.visit(link.removeprefix(portal.base_url))
    submit(portal, "main form button[type=submit]")

    # The organisation pages: register or join.
    portal.visit("/organisationen/")
    with page.expect_navigation():
        page.locator("a[href='/organisationen/registrieren/']").first.click()
    portal.check_accessibility()
    page.fill("#id_name", "Afrika Forum Köln e.V.")
    page.select_option("#id_legal_form", "ev")
    page.select_option("#id_kind", "club")
    page.fill("#id_postcode", "5066")  # one digit short
    page.fill("#id_city", "Köln")
    page.select_option("#id_bundesland", "NW")
    page.fill("#id_working_languages", "Deutsch, Französisch")
    page.check("#id_privacy_consent")
    submit(portal)
    assert page.locator("#error_1_id_postcode").is_visible()
    assert page.locator("#id_city").input_value() == "Köln"
    page.fill("#id_postcode", "50667")
    page.check("#id_privacy_consent")
    submit(portal)
    organisation = Organisation.objects.get()
    assert page.url == portal.url(f"/organisationen/{organisation.pk}/")
    assert "Afrika Forum Köln e.V." in page.locator("header").inner_text()
    log_out(portal)

    # Staff approve it in the admin.
    staff = UserFactory(is_staff=True, is_superuser=True)
    log_in(portal, staff.email, PASSWORD)
    page.goto(portal.url("/admin/organisations/organisation/?status__exact=pending"))
    page.locator(f"input[name=_selected_action][value='{organisation.pk}']").check()
    page.select_option("select[name=action]", "approve")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.APPROVED
    # Django's admin links no favicon, so Chromium asks for /favicon.ico and logs the 404; that is not ours.
    portal.console_errors = [e for e in portal.console_errors if "/admin/" not in e]
    assert mailoutbox[-1].to == ["amina@verein.example"]
    log_out(portal)

    # The newcomer invites a colleague.
    log_in(portal, "amina@verein.example", NEW_PASSWORD)
    portal.visit(f"/organisationen/{organisation.pk}/team/")
    page.fill("#id_email", "kollege@verein.example")
    submit(portal, "form[action$='/team/einladen/'] button[type=submit]")
    invitation_mail = mailoutbox[-1]
    assert invitation_mail.to == ["kollege@verein.example"]
    invitation_path = re.search(r"/organisationen/einladung/[^/\s]+/", invitation_mail.body).group(0)
    log_out(portal)

    # The colleague (who has an account already) opens the link, logs in, accepts.
    colleague = UserFactory(email="kollege@verein.example", first_name="Jonas")
    portal.visit(invitation_path)
    with page.expect_navigation():
        page.locator("main a[href^='/konto/login/']").click()
    page.fill("#id_login", colleague.email)
    page.fill("#id_password", PASSWORD)
    submit(portal, "main form button[type=submit]")
    assert page.url == portal.url(invitation_path)
    page.check("#id_privacy_consent")
    submit(portal)
    assert page.url == portal.url(f"/organisationen/{organisation.pk}/")
    assert Membership.objects.filter(user=colleague, organisation=organisation).exists()
    portal.visit(f"/organisationen/{organisation.pk}/team/")
    assert "Jonas" in page.locator("main").inner_text()
    portal.assert_private_and_clean()


def test_organisation_pages_fit_a_phone(phone_portal):
    from organisations import services

    admin = UserFactory(language="de")  # German: the longer words
    services.consent_record(user=admin)
    organisation = Organisation.objects.create(
        name="Verein mit einem sehr langen Namen für kleine Bildschirme e.V.",
        legal_form="ev",
        kind="club",
        postcode="10115",
        city="Berlin",
        bundesland="BE",
        status="approved",
        contact_person=admin,
    )
    Membership.objects.create(user=admin, organisation=organisation, role=Membership.Role.ADMIN)
    # The live server's database is flushed between tests, seeded topics and statements included.
    topic = Topic.objects.create(slug="personal", name="Personalentwicklung und -management", position=4)
    for position in (1, 2):
        AssessmentStatement.objects.create(topic=topic, text=f"Aussage {position}", position=position)
    statements = AssessmentStatement.objects.filter(is_active=True)
    services.assessment_submit(organisation=organisation, by=admin, ratings={s.pk: 2 for s in statements})
    latest = services.assessment_submit(
        organisation=organisation, by=admin, ratings={s.pk: 1 + s.pk % 4 for s in statements}
    )
    log_in(phone_portal, admin.email, PASSWORD)
    base = f"/organisationen/{organisation.pk}"
    for path in (
        f"{base}/",
        f"{base}/team/",
        f"{base}/bearbeiten/",
        f"{base}/check/",
        f"{base}/check/neu/",
        f"{base}/check/{latest.pk}/",
        "/organisationen/registrieren/",
    ):
        phone_portal.visit(path)
        width = phone_portal.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360px screen"
    phone_portal.assert_private_and_clean()


def test_federation_search_join_consent_and_invitation_errors(portal):
    """The pages around the journey: the privacy notice, a federation's clubs, search, asking to join, and an
    invitation link that no longer works."""
    from datetime import timedelta

    from django.utils import timezone

    from organisations import services
    from organisations.models import Invitation
    from tests.organisations.factories import OrganisationFactory

    page = portal.page
    admin = UserFactory(language="de")
    federation = OrganisationFactory(name="Bundesverband Vielfalt e.V.", kind=Organisation.Kind.FEDERAL, admins=[admin])
    OrganisationFactory(name="Kulturverein Nord e.V.", parent=federation, parent_confirmed=True)
    OrganisationFactory(name="Kulturverein Süd e.V.", parent=federation, parent_confirmed=False)
    other = OrganisationFactory(name="Elternverein Köln e.V.", city="Köln")

    # The first visit asks for the privacy notice.
    log_in(portal, admin.email, PASSWORD)
    portal.visit(f"/organisationen/{federation.pk}/verband/")
    assert page.url.startswith(portal.url("/organisationen/datenschutz/"))
    page.check("#id_privacy_consent")
    submit(portal)
    assert page.url == portal.url(f"/organisationen/{federation.pk}/verband/")
    text = page.locator("main").inner_text()
    assert "Kulturverein Nord e.V." in text and "Kulturverein Süd e.V." in text

    portal.visit("/organisationen/suchen/?q=Elternverein")
    assert "Elternverein Köln e.V." in page.locator("main").inner_text()
    portal.visit(f"/organisationen/{other.pk}/beitreten/")
    page.fill("#id_message", "Ich engagiere mich schon lange im Elternverein.")
    submit(portal)
    assert other.join_requests.filter(user=admin).exists()

    # Invitation links that no longer work explain why (410 Gone), accessibly.
    expired = services.invitation_create(organisation=federation, email="alt@verein.example", invited_by=admin)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    used = services.invitation_create(organisation=federation, email="neu@verein.example", invited_by=admin)
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    for invitation in (expired, used):
        response = page.goto(portal.url(f"/organisationen/einladung/{invitation.token}/"))
        assert response.status == 410
        portal.check_accessibility()
    # Chromium logs every 4xx answer as a console error; these two are the point of the test.
    portal.console_errors = [e for e in portal.console_errors if "/organisationen/einladung/" not in e]
    portal.assert_private_and_clean()
