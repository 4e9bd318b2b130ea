"""The helpers long lists are built with: pages (academy.pagination), links (academy.links), choice labels
(academy.choices.choice_label)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import translation

from academy.choices import choice_label
from academy.links import path_to
from academy.models import Topic
from academy.pagination import page_of
from coaching.models import CoachingCase
from events.models import Event
from tests.memo import written_the_same_from_the_memo


@pytest.fixture
def topics(db):
    return Topic.objects.bulk_create(Topic(slug=f"t-{n}", name=f"Thema {n}", position=n) for n in range(7))


def _page(query: dict, per_page: int = 3, param: str = "page"):
    return page_of(
        RequestFactory().get("/", query),
        Topic.objects.filter(slug__startswith="t-").order_by("position"),
        per_page=per_page,
        param=param,
    )


def test_a_first_page_that_holds_the_whole_list_is_counted_without_a_count_query(topics, django_assert_num_queries):
    with django_assert_num_queries(1):
        paged = _page({}, per_page=10)
        assert paged.page.paginator.count == 7 and paged.page_range == [1]
    assert [t.name for t in paged.items] == [f"Thema {n}" for n in range(7)]
    with django_assert_num_queries(1):
        assert _page({}, per_page=7).page.paginator.count == 7  # exactly full: the extra row is missing


def test_a_longer_list_is_counted_and_its_pages_follow_each_other(topics, django_assert_num_queries):
    with django_assert_num_queries(2):  # the first page (and one row more), the count
        first = _page({})
        assert (first.page.paginator.count, first.page.has_next(), first.page_range) == (7, True, [1, 2, 3])
    assert [t.position for t in first.items] == [0, 1, 2]
    second, last = _page({"page": "2"}), _page({"page": "3"})
    assert [t.position for t in second.items] == [3, 4, 5]
    assert [t.position for t in last.items] == [6] and not last.page.has_next()
    assert _page({"page": "9"}).notice == "Es gibt keine Seite 9; Sie sehen Seite 3."


def test_an_empty_list_has_one_empty_page(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        paged = _page({})
        assert (paged.items, paged.page.paginator.count, paged.page.number, paged.notice) == ([], 0, 1, "")


def test_path_to_writes_what_reverse_writes_under_any_script_prefix():
    for name in ("events:detail", "events:cancel", "coaching:coach_case"):
        for pk in (1, 42, 1234567):
            assert path_to(name, pk) == reverse(name, args=[pk])
    try:
        set_script_prefix("/portal/")
        assert path_to("events:detail", 5) == reverse("events:detail", args=[5])
        assert path_to("events:detail", 5).startswith("/portal/")
    finally:
        set_script_prefix("/")
    assert not path_to("events:detail", 5).startswith("/portal/")


def test_choice_label_says_what_get_display_says_in_each_language(db):
    """Labels are kept per language: one process answering in several languages, one after the other."""
    event, case = Event(format=Event.Format.ONLINE), CoachingCase(status=CoachingCase.Status.ASSIGNED)
    said = []
    for language in ("de", "en", "ar", "de"):
        with translation.override(language):
            assert choice_label(Event.Format, event.format) == event.get_format_display()
            assert choice_label(CoachingCase.Status, case.status) == case.get_status_display()
            assert choice_label(Event.Format, "retired") == Event(format="retired").get_format_display() == "retired"
            said.append(choice_label(CoachingCase.Status, case.status))
    assert said[0] == said[3] != said[1] != said[2]


def test_the_page_links_kept_per_process_are_the_links_written_anew(topics, settings):
    """The pager (templates/academy/_pager.html) comes from the layout's memo: for every page of a list, with and
    without other parameters, a fragment, htmx, in two languages, the same links as written anew."""
    from django.template.loader import render_to_string

    factory = RequestFactory()
    cases = [
        (language, per_page, param, query, extra)
        for language in ("en", "de")
        for per_page in (2, 3)
        for param in ("page", "p")
        for query in ({}, {"page": "2", "p": "2"}, {"page": "3", "p": "3"}, {"page": "7"}, {"t": "a&b"})
        for extra in (
            {},
            {"label": "Pages of results"},
            {"anchor": "past-heading"},
            {"hx_target": "#results"},
            {"hx_target": "#results", "query": "format=online"},
        )
    ]

    def render_all() -> list[str]:
        pages = []
        for language, per_page, param, query, extra in cases:
            request = factory.get("/", query)
            with translation.override(language):
                topics = Topic.objects.filter(slug__startswith="t-").order_by("position")
                paged = page_of(request, topics, per_page=per_page, param=param)
                context = {"paged": paged, "label": translation.gettext("Pages"), **extra}
                pages.append(render_to_string("academy/_pager.html", context, request=request))
        return pages

    written = written_the_same_from_the_memo(settings, render_all)
    german_page_3 = cases.index(("de", 2, "page", {"page": "3", "p": "3"}, {}))
    assert 'aria-current="page"><span class="visually-hidden">Seite </span>3</a>' in written[german_page_3]
