"""Whatever a visitor types or puts in a URL, the portal answers without a server error.

Property-based: hypothesis sends random and hostile values (control characters, huge numbers, markup,
SQL fragments, malformed dates) to the public forms and filters.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "99999999999999999999999",
            "2026-13-45",
            "2026-02",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "../../etc/passwd",
            "%00",
            "ä" * 2000,
        ]
    ),
)
FILTERS = ("q", "topic", "kind", "format", "language", "month", "date_from", "date_to", "free", "page")
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def without_nul(value: str) -> str:
    # The test client itself refuses NUL in a query string; the server never sees it.
    return value.replace("\x00", "")


@pytest.mark.django_db
@EXAMPLES
@given(
    params=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(FILTERS, HOSTILE),
    )
)
def test_the_catalogue_never_fails_on_any_filter(client, params):
    response = client.get(reverse("events:catalogue"), {k: without_nul(v) for k, v in params.items()})

    assert response.status_code < 500


@pytest.mark.django_db
@EXAMPLES
@given(
    data=st.fixed_dictionaries(
        dict.fromkeys(("name", "email", "organisation", "subject", "message", "website", "shown_at"), HOSTILE)
    )
)
def test_the_contact_form_never_fails_on_any_input(client, data):
    response = client.post(reverse("academy:contact"), data)

    assert response.status_code < 500


@pytest.mark.django_db
@EXAMPLES
@given(data=st.fixed_dictionaries(dict.fromkeys(("language", "next"), HOSTILE)))
def test_the_language_switch_never_fails_on_any_input(client, data):
    response = client.post(reverse("academy:set_language"), data)

    assert response.status_code in (302, 400)


@pytest.mark.django_db
# "¹" and "²" are digits to str.isdigit(), but int() refuses them.
@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "abc", "1e5", " ", "¹", "1²"])
def test_a_topic_id_no_column_can_hold_is_an_invalid_choice(value):
    from academy.forms import IdMultipleChoiceField
    from academy.models import Topic

    field = IdMultipleChoiceField(queryset=Topic.objects.all())

    with pytest.raises(ValidationError) as error:
        field.clean([str(Topic.objects.first().pk), value])
    assert error.value.code == "invalid_choice"


@pytest.mark.django_db
def test_registering_with_a_huge_topic_id_says_so_next_to_the_field(client):
    from organisations.services import consent_record
    from tests.factories import UserFactory

    user = UserFactory()
    consent_record(user=user)
    client.force_login(user)
    response = client.post(reverse("organisations:register"), {"name": "Verein", "topics": ["9" * 25]})

    assert response.status_code == 200
    assert "topics" in response.context["form"].errors
    assert 'value="Verein"' in response.content.decode()
