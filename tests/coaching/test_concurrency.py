"""No double booking under real concurrency: several organisations pick the same slot of one coach at once."""

import threading

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from coaching import services
from coaching.models import Session
from tests.organisations.factories import OrganisationFactory

from .conftest import person, submit_case, tomorrow_at

THREADS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_slot_picked_at_once_goes_to_exactly_one(postgresql, coach, staff, topics):
    coach.max_active_cases = THREADS
    coach.save(update_fields=["max_active_cases"])
    cases = []
    for _ in range(THREADS):
        admin = person()
        organisation = OrganisationFactory(admins=[admin])
        case = services.case_assign(case=submit_case(organisation, admin, topics[:1]), coach=coach, by=staff)
        cases.append((case, admin))
    start = tomorrow_at(10)
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def book(case, admin):
        try:
            barrier.wait()
            services.session_book(case=case, by=admin, start=start)
            outcomes.append("booked")
        except services.SlotTaken as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=pair) for pair in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("booked") == 1
    # The threads speak the portal's default language, German (translation is per thread).
    with translation.override("de"):
        taken = gettext("Sorry, this time has just been taken. Please choose another one.")
    assert outcomes.count(taken) == THREADS - 1
    assert Session.objects.filter(coach=coach).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_overlap_even_without_the_lock(postgresql, assigned_case, coach, org_admin):
    """The exclusion constraint is the second line: a session written past the services is refused."""
    services.session_book(case=assigned_case, by=org_admin, start=tomorrow_at(10))
    with pytest.raises(services.SlotTaken):
        services._save_new_session(
            Session(case=assigned_case, coach=coach, start=tomorrow_at(11), end=tomorrow_at(12), status="proposed")
        )
    # cancelled sessions do not hold time
    Session.objects.create(
        case=assigned_case,
        coach=coach,
        start=tomorrow_at(11),
        end=tomorrow_at(12),
        status="cancelled",
        cancelled_at=tomorrow_at(9),
    )
