"""End-to-end: an approved organisation's member books the last seat of a seminar, a colleague lands on the
waiting list, the first cancels and the colleague moves up; a trainer takes attendance on a phone. axe-core
checks every page (tests/browser/conftest.Portal)."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from events import services
from events.models import Attendance, Booking, Event, EventDate
from organisations.models import Membership, Organisation
from organisations.services import consent_record
from tests.factories import PASSWORD, UserFactory

from .conftest import RESULTS_DIR
from .test_organisations import log_in, log_out

pytestmark = pytest.mark.browser


def snapshot(tab, name):
    """With VAMOS_SCREENSHOTS=1, keeps a picture of the page for a person to look at."""
    if os.environ.get("VAMOS_SCREENSHOTS") == "1":
        RESULTS_DIR.mkdir(exist_ok=True)
        tab.page.screenshot(path=str(RESULTS_DIR / f"events-{name}.png"), full_page=True)


def person(first_name, last_name, email):
    user = UserFactory(first_name=first_name, last_name=last_name, email=email, language="en")
    consent_record(user=user)
    return user


def make_event(*, title, capacity, start, hours=4, trainers=(), **fields):
    event = Event.objects.create(
        title=title,
        kind=Event.Kind.SEMINAR,
        format=Event.Format.IN_PERSON,
        description="Wie wir Fördermittel beantragen und Projekte solide finanzieren.",
        learning_goals="Förderprogramme kennen, einen Antrag gliedern.",
        target_group="Vorstände und Ehrenamtliche von Migrant*innenorganisationen",
        capacity=capacity,
        venue_name="Haus der Vereine",
        street="Musterstraße 5",
        postcode="10115",
        city="Berlin",
        status=Event.Status.PUBLISHED,
        **fields,
    )
    EventDate.objects.create(event=event, start=start, end=start + timedelta(hours=hours))
    event.trainers.set(trainers)
    return event


def click_and_wait(tab, locator):
    with tab.page.expect_navigation():
        locator.click()
    tab.check_accessibility()


def test_book_last_seat_wait_cancel_promote(portal, mailoutbox):
    page = portal.page
    amina = person("Amina", "Yılmaz", "amina@verein.example")
    jonas = person("Jonas", "Berger", "jonas@verein.example")
    organisation = Organisation.objects.create(
        name="Afrika Forum Köln e.V.",
        legal_form="ev",
        kind="club",
        postcode="50667",
        city="Köln",
        bundesland="NW",
        status="approved",
        contact_person=amina,
    )
    Membership.objects.create(user=amina, organisation=organisation, role=Membership.Role.ADMIN)
    Membership.objects.create(user=jonas, organisation=organisation, role=Membership.Role.MEMBER)
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=10)
    other_person = person("Olga", "Other", "olga@other.example")
    other = Organisation.objects.create(
        name="Anderer Verein e.V.",
        legal_form="ev",
        kind="club",
        postcode="10115",
        city="Berlin",
        bundesland="BE",
        status="approved",
    )
    Membership.objects.create(user=other_person, organisation=other, role=Membership.Role.ADMIN)
    seminar = make_event(title="Fördermittel beantragen", capacity=2, start=start)
    services.booking_create(event=seminar, person=other_person, organisation=other, booked_by=other_person)
    for number in range(14):  # enough for a second page of the catalogue
        make_event(title=f"Vernetzungstreffen {number}", capacity=20, start=start + timedelta(days=number + 1))

    # Amina finds the seminar in the catalogue and books the last seat.
    log_in(portal, amina.email, PASSWORD)
    portal.visit("/veranstaltungen/")
    snapshot(portal, "catalogue")
    click_and_wait(portal, page.locator("main a", has_text="Fördermittel beantragen"))
    assert "1 seat left" in page.locator("main").inner_text()
    click_and_wait(portal, page.locator("main form[action$='/buchen/'] button[type=submit]"))
    assert "Your seat is confirmed." in page.locator("main").inner_text()
    snapshot(portal, "event-booked")
    log_out(portal)

    # Jonas comes too late: the waiting list.
    log_in(portal, jonas.email, PASSWORD)
    portal.visit(f"/veranstaltungen/{seminar.pk}/")
    assert "Fully booked" in page.locator("main").inner_text()
    click_and_wait(portal, page.locator("main form[action$='/buchen/'] button[type=submit]"))
    assert "You are on the waiting list, position 1." in page.locator("main").inner_text()
    portal.visit("/veranstaltungen/meine-buchungen/")
    assert "waiting list, position 1" in page.locator("main").inner_text()
    log_out(portal)

    # Amina cannot come after all: she cancels from her bookings, after confirming.
    log_in(portal, amina.email, PASSWORD)
    portal.visit("/veranstaltungen/meine-buchungen/")
    snapshot(portal, "my-bookings")
    click_and_wait(portal, page.locator("main a[href*='/stornieren/']"))
    snapshot(portal, "cancel")
    click_and_wait(portal, page.locator("main form button[type=submit]"))
    assert "Your booking has been cancelled" in page.locator("main").inner_text()
    portal.visit(f"/veranstaltungen/organisation/{organisation.pk}/buchungen/")
    assert "Jonas Berger" in page.locator("main").inner_text()
    portal.visit("/veranstaltungen/kalender/")
    log_out(portal)

    # Jonas has moved up, sees it on the event page and was told by email.
    log_in(portal, jonas.email, PASSWORD)
    portal.visit(f"/veranstaltungen/{seminar.pk}/")
    assert "Your seat is confirmed." in page.locator("main").inner_text()
    assert Booking.objects.get(person=jonas).status == Booking.Status.CONFIRMED
    assert any(mail.to == [jonas.email] for mail in mailoutbox[-3:])
    portal.assert_private_and_clean()


def test_trainer_takes_attendance_on_a_phone(phone_portal):
    page = phone_portal.page
    trainer = person("Tina", "Trainerin", "tina@vamos.example")
    club = Organisation.objects.create(
        name="Verein mit einem sehr langen Namen für kleine Bildschirme e.V.",
        legal_form="ev",
        kind="club",
        postcode="10115",
        city="Berlin",
        bundesland="BE",
        status="approved",
    )
    participants = [
        person("Mehmet", "Aydın", "mehmet@verein.example"),
        person("Olena", "Kovalenko", "olena@verein.example"),
    ]
    start = timezone.now() + timedelta(days=2)
    event = make_event(title="Öffentlichkeitsarbeit mit kleinem Budget", capacity=10, start=start, trainers=[trainer])
    for participant in participants:
        Membership.objects.create(user=participant, organisation=club)
        services.booking_create(event=event, person=participant, organisation=club, booked_by=participant)
    event_date = event.dates.get()
    now = timezone.now()
    event_date.start, event_date.end = now - timedelta(minutes=15), now + timedelta(hours=3)
    event_date.save()

    log_in(phone_portal, trainer.email, PASSWORD)
    phone_portal.visit("/veranstaltungen/anwesenheit/")
    click_and_wait(phone_portal, page.locator(f"main a[href$='/anwesenheit/{event_date.pk}/']"))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the attendance page is {width}px wide on a 360px screen"
    count = page.locator("#attendance-count")
    assert "0 of 2 present" in count.inner_text()

    first = page.locator(".attendance-row").first
    first.get_by_role("button", name="Present").click()  # htmx swaps the row, the count follows
    page.wait_for_function("() => document.querySelector('#attendance-count').innerText.includes('1 of 2 present')")
    page.locator(".attendance-row").nth(1).get_by_role("button", name="Absent").click()
    page.wait_for_function("() => document.querySelector('#attendance-count').innerText.includes('1 absent')")
    box = page.locator(".attendance-row").first.get_by_role("button", name="Absent").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    phone_portal.check_accessibility()
    snapshot(phone_portal, "attendance-phone")
    assert sorted(Attendance.objects.values_list("present", flat=True)) == [False, True]

    page.reload()  # what was marked is kept
    assert "1 of 2 present" in page.locator("#attendance-count").inner_text()
    for path in ("/veranstaltungen/", f"/veranstaltungen/{event.pk}/", "/veranstaltungen/meine-buchungen/"):
        phone_portal.visit(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360px screen"
        snapshot(phone_portal, f"phone-{path.strip('/').replace('/', '-')}")
    phone_portal.assert_private_and_clean()
