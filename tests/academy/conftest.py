import time
from unittest import mock

import pytest
from django.core import signing


def contact_stamp(seconds_ago: float) -> str:
    """The hidden `shown_at` value the contact form would have carried when shown `seconds_ago`."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds_ago):
        return signing.TimestampSigner(salt="contact-form").sign("shown")


@pytest.fixture
def contact_data():
    """What a person types into the contact form, sent back well after the form was shown."""
    return {
        "name": "Ayşe Yılmaz",
        "email": "ayse@verein.example",
        "organisation": "Deutsch-Türkischer Kulturverein e. V.",
        "subject": "Seminare für unseren Vorstand",
        "message": "Guten Tag,\nwir möchten wissen, welche Seminare es zur Finanzierung gibt.",
        "website": "",
        "shown_at": contact_stamp(seconds_ago=60),
    }
