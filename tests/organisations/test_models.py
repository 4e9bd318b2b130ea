import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from organisations.models import Membership, Organisation, normalise_name, validate_logo
from tests.factories import UserFactory

from .factories import JoinRequestFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Türkische Gemeinde in Hamburg e.V.", "türkische gemeinde in hamburg"),
        ("TÜRKISCHE GEMEINDE IN HAMBURG E. V.", "türkische gemeinde in hamburg"),
        ("Türkische  Gemeinde, in Hamburg", "türkische gemeinde in hamburg"),
        ("Bildungswerk gGmbH", "bildungswerk"),
        ("Start-Up gUG (haftungsbeschränkt)", "start up"),
        ("Nachbarschaftshilfe n.e.V.", "nachbarschaftshilfe"),
    ],
)
def test_names_are_normalised_for_duplicate_detection(name, expected):
    assert normalise_name(name) == expected


def test_normalised_name_is_stored_and_follows_changes():
    organisation = OrganisationFactory(name="Afrika Forum e.V.", city=" Köln ")
    assert (organisation.normalised_name, organisation.normalised_city) == ("afrika forum", "köln")
    organisation.name = "Afrika-Forum Rhein e.V."
    organisation.save(update_fields=["name"])
    organisation.refresh_from_db()
    assert organisation.normalised_name == "afrika forum rhein"


def test_the_database_refuses_a_second_record_of_the_same_organisation():
    OrganisationFactory(name="Afrika Forum e.V.", city="Köln")
    with pytest.raises(IntegrityError):
        OrganisationFactory(name="AFRIKA FORUM", city="köln")


def test_a_declined_registration_does_not_block_a_new_one():
    OrganisationFactory(name="Afrika Forum", city="Köln", status=Organisation.Status.DECLINED, decline_reason="x")
    OrganisationFactory(name="Afrika Forum", city="Köln")


def test_a_decline_needs_a_reason():
    with pytest.raises(IntegrityError):
        OrganisationFactory(status=Organisation.Status.DECLINED, decline_reason="")


def test_one_membership_per_person_and_organisation():
    user = UserFactory()
    organisation = OrganisationFactory(members=[user])
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, organisation=organisation)


def test_only_one_open_join_request_per_person_and_organisation():
    join_request = JoinRequestFactory()
    with pytest.raises(IntegrityError):
        JoinRequestFactory(user=join_request.user, organisation=join_request.organisation)


def png_bytes(size=(10, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_real_image_is_a_valid_logo():
    validate_logo(SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"))


def test_a_logo_is_checked_by_content_not_by_name():
    with pytest.raises(ValidationError) as error:
        validate_logo(SimpleUploadedFile("logo.png", b"%PDF-1.4 not an image", content_type="image/png"))
    assert error.value.code == "not_an_image"


def test_a_logo_may_be_at_most_two_megabytes():
    big = SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (2 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        validate_logo(big)
    assert error.value.code == "too_large"


def test_profile_completeness_counts_the_filled_fields():
    organisation = OrganisationFactory()
    assert organisation.profile_completeness(False) == 0
    organisation.description = "Wir sind ein Verein."
    organisation.working_languages = ["Deutsch"]
    assert organisation.profile_completeness(True) == round(100 * 3 / 13)
    assert "website" in organisation.profile_missing(True)
