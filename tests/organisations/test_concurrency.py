"""The last-admin rule under real concurrency: two admins demote each other at the same moment."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from organisations import services
from organisations.models import Membership
from tests.factories import UserFactory

from .factories import OrganisationFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_leave_one_admin(postgresql, monkeypatch):
    # Widen the window between counting the other admins and saving, so that without the row lock both
    # demotions would pass (checked by removing the lock: the test then fails with no admin left).
    count_other_admins = services._other_admins

    def slow_count(*args):
        result = count_other_admins(*args)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(services, "_other_admins", slow_count)
    first, second = UserFactory(), UserFactory()
    organisation = OrganisationFactory(admins=[first, second])
    memberships = {m.user_id: m for m in Membership.objects.filter(organisation=organisation)}
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(by, target):
        try:
            barrier.wait()
            services.membership_set_role(membership=memberships[target.pk], role=Membership.Role.MEMBER, by=by)
            outcomes.append("changed")
        except (ValidationError, PermissionDenied):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    admins = Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN).count()
    assert admins == 1
    assert sorted(outcomes) == ["changed", "refused"]
