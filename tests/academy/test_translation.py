"""academy.translation.translated_reader reads a translated field from a row's values as modeltranslation's
descriptor reads it from a model instance."""

import pytest
from django.utils import translation

from academy.translation import translated_reader
from events.models import Event


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(
    "titles",
    [
        {"title_de": "Vereinsrecht", "title_en": "Association law"},
        {"title_de": "Vereinsrecht", "title_en": ""},
        {"title_de": "Vereinsrecht", "title_en": None},
        {"title_de": "", "title_en": "Association law"},
        {"title_de": "", "title_en": ""},
    ],
)
def test_a_rows_title_is_the_one_an_event_shows(language, titles):
    with translation.override(language):
        read = translated_reader(Event, "title")
        assert read(titles) == Event(**titles).title
