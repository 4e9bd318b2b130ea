"""Prepared reads (academy.prepared): the same rows as the queryset they are built from, for any values, in one
query, compiled once per shape, on the calling thread's connection; a build that breaks the rules is refused."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from academy.models import Topic, User
from academy.pagination import page_of
from academy.prepared import prepared
from organisations.models import Membership
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory


def _memberships(*, user):
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


memberships = prepared(user=int)(_memberships)


@prepared(joined=dt.datetime, email=str)
def people_since(*, joined, email):
    return User.objects.filter(date_joined__gte=joined, email=email).order_by("pk").values_list("email", "date_joined")


@prepared(start=int)
def topics(descending, *, start):
    return Topic.objects.filter(position__gte=start).order_by("-position" if descending else "position")


@pytest.fixture
def people(db):
    first, second = UserFactory(), UserFactory()
    OrganisationFactory(name="Zeytin e.V.", members=[first])
    OrganisationFactory(name="Anadolu e.V.", members=[first, second])
    return first, second


def _facts(membership):
    return (membership.pk, membership.role, membership.organisation.pk, membership.organisation.name)


def test_a_prepared_read_gives_the_rows_of_its_queryset_for_every_value(people, django_assert_num_queries):
    for person in people:
        expected = [_facts(m) for m in _memberships(user=person.pk)]
        with django_assert_num_queries(1):  # the organisation came with the membership (select_related)
            found = [_facts(m) for m in memberships(user=person.pk)]
        assert found == expected and found
    assert memberships(user=people[0].pk)[0].organisation.name == "Anadolu e.V."  # ordered by name
    assert memberships(user=0) == []


def test_dates_and_texts_reach_the_query_as_parameters(db):
    old = UserFactory(email="old@example.org")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - dt.timedelta(days=30))
    new = UserFactory(email="new@example.org")
    week_ago = timezone.now() - dt.timedelta(days=7)
    assert [email for email, _ in people_since(joined=week_ago, email=new.email)] == [new.email]
    assert people_since(joined=week_ago, email=old.email) == []
    assert [email for email, _ in people_since(joined=week_ago - dt.timedelta(days=60), email=old.email)] == [old.email]
    joined = people_since(joined=week_ago, email=new.email)[0][1]
    assert joined == User.objects.get(pk=new.pk).date_joined and timezone.is_aware(joined)


@prepared(ids=list)
def topics_among(*, ids):
    return Topic.objects.filter(pk__any_of=ids).order_by("pk").values_list("pk", flat=True)


def test_a_list_of_ids_is_one_parameter_whatever_its_length(db, django_assert_num_queries):
    made = Topic.objects.bulk_create(Topic(slug=f"l-{n}", name=f"T{n}", position=n) for n in range(5))
    ids = [topic.pk for topic in made]
    for chosen in ([], ids[:1], ids[1:4], [*ids, 0], ids[::-1]):
        with django_assert_num_queries(1):
            assert topics_among(ids=chosen) == sorted(set(chosen) & set(ids))
    assert list(Topic.objects.filter(pk__any_of=ids[:2]).values_list("pk", flat=True).order_by("pk")) == ids[:2]


def test_each_shape_is_compiled_once(db, settings, monkeypatch):
    settings.PREPARED_READS_VERIFY = False  # the check builds the query on every call; here we count builds
    Topic.objects.bulk_create(Topic(slug=f"p-{n}", name=f"T{n}", position=n) for n in range(1000, 1003))
    built = []
    monkeypatch.setattr(topics, "build", lambda *a, **k: built.append(a) or topics.__wrapped__(*a, **k))
    for _ in range(3):
        assert [t.position for t in topics(False, start=1000)] == [1000, 1001, 1002]
        assert [t.position for t in topics(True, start=1000)] == [1002, 1001, 1000]
    assert built == [(False,), (True,)]


def test_a_bound_read_is_paged_like_a_queryset(db, rf):
    Topic.objects.bulk_create(Topic(slug=f"b-{n}", name=f"T{n}", position=n) for n in range(1000, 1007))
    queryset = Topic.objects.filter(position__gte=1000).order_by("position")
    for page in ("1", "2", "3", "9"):
        request = rf.get("/", {"page": page})
        from_read = page_of(request, topics.bind(False, start=1000), per_page=3)
        from_queryset = page_of(request, queryset, per_page=3)
        assert [t.pk for t in from_read.items] == [t.pk for t in from_queryset.items]
        assert (from_read.page.number, from_read.page.paginator.count, from_read.notice) == (
            from_queryset.page.number,
            from_queryset.page.paginator.count,
            from_queryset.notice,
        )


@prepared(lambda row: {"slug": row[0], "position": row[1]}, start=int)
def topic_rows(*, start):
    return Topic.objects.filter(position__gte=start).order_by("position").values_list("slug", "position")


def test_a_row_maker_makes_each_row_and_leaves_the_count_alone(db):
    Topic.objects.bulk_create(Topic(slug=f"r-{n}", name=f"T{n}", position=n) for n in range(2000, 2004))
    assert topic_rows(start=2001) == [{"slug": f"r-{n}", "position": n} for n in range(2001, 2004)]
    bound = topic_rows.bind(start=2000)
    assert bound[1:3] == [{"slug": "r-2001", "position": 2001}, {"slug": "r-2002", "position": 2002}]
    assert bound.count() == 4


def test_the_first_rows_come_with_the_number_of_all_in_one_query(db, django_assert_num_queries):
    Topic.objects.bulk_create(Topic(slug=f"w-{n}", name=f"T{n}", position=n) for n in range(3000, 3005))
    with django_assert_num_queries(1):
        rows, total = topic_rows.bind(start=3001).first_with_total(2)
    assert (rows, total) == ([{"slug": "w-3001", "position": 3001}, {"slug": "w-3002", "position": 3002}], 4)
    instances, total = topics.bind(False, start=3000).first_with_total(3)
    assert ([t.position for t in instances], total) == ([3000, 3001, 3002], 5)
    assert not hasattr(instances[0], "_total")
    assert topic_rows.bind(start=9999).first_with_total(2) == ([], 0)


def test_a_bound_read_counts_its_rows_in_one_prepared_query(people, django_assert_num_queries):
    for person, expected in ((people[0], 2), (people[1], 1)):
        with django_assert_num_queries(1):
            counted = memberships.bind(user=person.pk).count()
        assert counted == expected == _memberships(user=person.pk).count()
    assert memberships.bind(user=0).count() == 0


def test_the_check_refuses_a_query_whose_shape_follows_a_value(people):
    @prepared(user=int)
    def branching(*, user):
        found = Membership.objects.filter(user=user)
        return found.filter(role=Membership.Role.ADMIN) if user % 2 else found

    branching(user=2)  # compiled with an even stand-in: the same shape
    with pytest.raises(AssertionError, match="differs from Django's"):
        branching(user=3)


@pytest.mark.parametrize(
    "build",
    [
        lambda *, since: User.objects.filter(date_joined__gte=since - dt.timedelta(days=1)),  # arithmetic
        lambda *, since: User.objects.filter(date_joined__date=since),  # a transform changes the value
    ],
)
def test_a_parameter_that_does_not_reach_the_sql_unchanged_is_refused(db, build):
    with pytest.raises(ImproperlyConfigured, match="must reach the SQL unchanged"):
        prepared(since=dt.datetime)(build)(since=timezone.now())


def test_a_limit_from_a_parameter_is_refused(db):
    with pytest.raises(ImproperlyConfigured, match="must reach the SQL unchanged"):
        prepared(count=int)(lambda *, count: Topic.objects.order_by("pk")[:count])(count=3)


def test_wrong_parameters_are_a_type_error(db):
    with pytest.raises(TypeError):
        memberships(person=1)


@pytest.mark.django_db(transaction=True)
def test_another_thread_reads_on_its_own_connection(people):
    """The kept compiler belongs to the thread that compiled it; each call runs on the caller's connection
    (Django refuses a connection used from another thread)."""
    expected = [_facts(m) for m in memberships(user=people[0].pk)]

    def read():
        try:
            return [_facts(m) for m in memberships(user=people[0].pk)]
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda _: read(), range(4))) == [expected] * 4
