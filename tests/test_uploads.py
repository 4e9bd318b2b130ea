"""Uploads are checked by what they contain and by size, stored under random names, served with safe headers.

Every FileField/ImageField of the portal: organisation logos and coach photos (uploaded in the portal, checked
by academy.validators), lesson videos, lesson attachments, materials and module covers (uploaded by staff,
checked by elearning.validators). Certificates and data exports are files the portal makes itself.
Files that lie about their type are refused beside the field: HTML or SVG named .png, a zip named .pdf,
text that looks like a video, oversized files. A polyglot (a real image or PDF carrying <script>) is accepted
as what it really is and can only ever be served as that type, with nosniff.
"""

import io
import re
import zipfile

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from PIL import Image

from academy import roles
from academy.models import Topic
from elearning.models import LessonAttachment, Material
from elearning.pdf import simple_pdf
from elearning.validators import validate_document, validate_video
from organisations.models import Organisation
from organisations.services import consent_record
from tests.coaching.factories import CoachFactory
from tests.elearning.factories import LessonFactory, MaterialFactory, ModuleFactory
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp|pdf|mp4|webm|docx|xlsx|pptx|odt)$")
SCRIPT = b"<script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"


def image(kind="PNG", size=(16, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, kind)
    return buffer.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def person(**kwargs):
    user = UserFactory(language="en", **kwargs)
    consent_record(user=user)
    return user


def stored_name(field_file) -> str:
    return field_file.name.rsplit("/", 1)[-1]


# ------------------------------------------------------------------------------------------------------------------
# Every file field is known to this test
# ------------------------------------------------------------------------------------------------------------------

CHECKED_FIELDS = {
    "organisations.Organisation.logo": "academy.validators via OrganisationForm, organisations.models.validate_logo",
    "coaching.CoachProfile.photo": "academy.validators via CoachProfileForm",
    "elearning.Module.cover_image": "elearning.validators.validate_image",
    "elearning.Lesson.video_file": "elearning.validators.validate_video",
    "elearning.LessonAttachment.file": "elearning.validators.validate_document",
    "elearning.Material.file": "elearning.validators.validate_document",
    # Made by the portal itself, never uploaded:
    "academy.Certificate.file": "rendered by academy.certificates",
    "academy.DataExport.file": "built by academy.privacy",
}


def test_every_file_field_is_checked_here():
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in {"academy", "organisations", "events", "coaching", "elearning"}
        and not model._meta.label.split(".")[1].startswith("Historical")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert found - set(CHECKED_FIELDS) == set(), f"file fields without an upload check: {found - set(CHECKED_FIELDS)}"


# ------------------------------------------------------------------------------------------------------------------
# Organisation logos (the admin of the organisation uploads them on the profile page)
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_and_organisation():
    admin = person()
    organisation = OrganisationFactory(admins=[admin])
    return admin, organisation


def post_logo(client, admin, organisation, upload):
    client.force_login(admin)
    data = {
        "name": organisation.name,
        "legal_form": organisation.legal_form,
        "kind": organisation.kind,
        "postcode": organisation.postcode,
        "city": organisation.city,
        "bundesland": organisation.bundesland,
        "topics": [Topic.objects.first().pk],
        "logo": upload,
    }
    return client.post(reverse("organisations:edit", args=[organisation.pk]), data)


def logo_error(response) -> str:
    match = re.search(r'id="error_1_id_logo"[^>]*>(.*?)</', response.content.decode(), re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.png", SVG),  # SVG can carry script: never a logo
        ("logo.svg", SVG),
        ("logo.png", HTML),  # HTML named .png
        ("logo.png", b"GIF89a" + SCRIPT),  # a header and nothing behind it
        ("logo.png", simple_pdf("Logo", ["x"])),
        ("logo.html", image("PNG")),  # a real PNG with a name that would be served as a page
        ("logo.png", image("BMP")),  # an image, but not a format we take
    ],
    ids=["svg-as-png", "svg", "html-as-png", "gif-header-only", "pdf-as-png", "png-as-html", "bmp-as-png"],
)
def test_a_logo_that_is_not_a_png_jpeg_gif_or_webp_is_refused_beside_the_field(
    client, admin_and_organisation, name, content
):
    admin, organisation = admin_and_organisation

    response = post_logo(client, admin, organisation, SimpleUploadedFile(name, content, content_type="image/png"))

    assert response.status_code == 200
    assert logo_error(response), "no error beside the logo field"
    organisation.refresh_from_db()
    assert not organisation.logo


def test_an_oversized_logo_is_refused(client, admin_and_organisation):
    admin, organisation = admin_and_organisation
    big = SimpleUploadedFile("logo.png", image("PNG") + b"\0" * (2 * 1024 * 1024 + 1), content_type="image/png")

    response = post_logo(client, admin, organisation, big)

    assert "2 MB" in logo_error(response)
    organisation.refresh_from_db()
    assert not organisation.logo


@pytest.mark.parametrize(
    ("name", "content", "ending"),
    [
        ("Unser Logo (final).png", image("PNG"), ".png"),
        ("logo.jpeg", image("JPEG"), ".jpg"),
        ("logo.gif", image("PNG"), ".png"),  # the ending follows the content, not the name
        ("logo.webp", image("WEBP"), ".webp"),
        ("logo.png", image("PNG") + HTML, ".png"),  # a polyglot stays a PNG: served as image/png, nosniff
    ],
    ids=["png", "jpeg", "png-named-gif", "webp", "png-with-html-behind"],
)
def test_a_logo_is_stored_under_a_random_name_with_the_ending_of_its_content(
    client, admin_and_organisation, name, content, ending
):
    admin, organisation = admin_and_organisation

    response = post_logo(client, admin, organisation, SimpleUploadedFile(name, content, content_type="image/png"))

    assert response.status_code == 302, logo_error(response)
    organisation.refresh_from_db()
    assert organisation.logo.name.startswith("organisations/logos/")
    assert RANDOM_NAME.match(stored_name(organisation.logo)), organisation.logo.name
    assert stored_name(organisation.logo).endswith(ending)
    assert "logo" not in stored_name(organisation.logo).lower()


def test_a_logo_registered_with_a_new_organisation_gets_a_random_name_too(client):
    founder = person()
    client.force_login(founder)
    data = {
        "name": "Afrika Forum e.V.",
        "legal_form": "ev",
        "kind": "club",
        "postcode": "50667",
        "city": "Köln",
        "bundesland": "NW",
        "topics": [Topic.objects.first().pk],
        "privacy_consent": "on",
        "logo": SimpleUploadedFile("../../etc/passwd.png", image("PNG"), content_type="image/png"),
    }

    response = client.post(reverse("organisations:register"), data)

    assert response.status_code == 302
    logo = Organisation.objects.get(name="Afrika Forum e.V.").logo
    assert RANDOM_NAME.match(stored_name(logo)) and logo.name.startswith("organisations/logos/")


# ------------------------------------------------------------------------------------------------------------------
# Coach photos (the coach uploads it on their profile)
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture
def coach():
    profile = CoachFactory()
    return profile.user


def post_photo(client, coach, upload):
    client.force_login(coach)
    return client.post(
        reverse("coaching:profile"), {"bio": "Coach.", "languages": ["de"], "offers_online": "on", "photo": upload}
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.svg", SVG), ("photo.png", SVG), ("photo.png", HTML), ("photo.png", image("BMP"))],
    ids=["svg", "svg-as-png", "html-as-png", "bmp-as-png"],
)
def test_a_coach_photo_that_is_not_an_image_we_take_is_refused(client, coach, name, content):
    response = post_photo(client, coach, SimpleUploadedFile(name, content, content_type="image/png"))

    assert response.status_code == 400
    assert re.search(r'id="error_1_id_photo"', response.content.decode())
    coach.coach_profile.refresh_from_db()
    assert not coach.coach_profile.photo


def test_an_oversized_coach_photo_is_refused(client, coach):
    big = SimpleUploadedFile("photo.png", image("PNG") + b"\0" * (2 * 1024 * 1024 + 1), content_type="image/png")

    response = post_photo(client, coach, big)

    assert response.status_code == 400
    assert "2.0" in response.content.decode() or "2 MB" in response.content.decode()
    coach.coach_profile.refresh_from_db()
    assert not coach.coach_profile.photo


def test_a_coach_photo_is_stored_under_a_random_name(client, coach):
    response = post_photo(client, coach, SimpleUploadedFile("Max Mustermann.jpg", image("JPEG")))

    assert response.status_code == 302
    coach.coach_profile.refresh_from_db()
    assert RANDOM_NAME.match(stored_name(coach.coach_profile.photo)), coach.coach_profile.photo.name
    assert stored_name(coach.coach_profile.photo).endswith(".jpg")


# ------------------------------------------------------------------------------------------------------------------
# E-learning files (staff upload them in the admin; the model validators are what the admin runs)
# ------------------------------------------------------------------------------------------------------------------

DOCX = zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("checklist.pdf", HTML, "type"),
        ("checklist.png", SVG, "type"),
        ("checklist.pdf", DOCX, "mismatch"),  # a "PDF" that is a zip (a Word file)
        ("checklist.pdf", zipped({"index.html": HTML}), "type"),  # a zip of anything else
        ("checklist.html", simple_pdf("T", ["x"]), "mismatch"),  # a real PDF that would be served as a page
    ],
    ids=["html-as-pdf", "svg-as-png", "docx-as-pdf", "zip-as-pdf", "pdf-as-html"],
)
def test_a_document_that_lies_about_its_type_is_refused(name, content, code):
    material = MaterialFactory.build(file=SimpleUploadedFile(name, content), topic=Topic.objects.first())

    with pytest.raises(ValidationError) as error:
        material.full_clean()

    assert [e.code for e in error.value.error_dict["file"]] == [code]


def test_an_oversized_document_is_refused(settings):
    settings.ELEARNING_DOCUMENT_MAX_BYTES = 1024
    pdf = simple_pdf("T", ["x" * 2000])

    with pytest.raises(ValidationError) as error:
        validate_document(SimpleUploadedFile("big.pdf", pdf + b"\0" * 1024))

    assert error.value.code == "too_large"


@pytest.mark.parametrize(
    "content",
    [b"<htmftyp<script>alert(1)</script>" + b" " * 32, b"\x00\x00\x00\x18ftyp\x00\x01\x02\x03" + b"\0" * 32, HTML],
    ids=["text-with-ftyp", "binary-brand", "html"],
)
def test_text_that_only_looks_like_a_video_is_refused(content):
    with pytest.raises(ValidationError):
        validate_video(SimpleUploadedFile("clip.mp4", content))


def test_uploaded_elearning_files_get_random_names():
    material = MaterialFactory(file=ContentFile(simple_pdf("T", ["x"]), name="Vereinssatzung Muster.pdf"))
    assert RANDOM_NAME.match(stored_name(material.file)) and material.file.name.startswith("elearning/materials/")


# ------------------------------------------------------------------------------------------------------------------
# Serving: attachment unless shown inline on purpose, the right type, nosniff
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture
def learner(client):
    user = person()
    OrganisationFactory(members=[user])
    client.force_login(user)
    return user


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_pdf_with_script_inside_is_downloaded_as_a_pdf_never_shown_as_a_page(client, learner):
    polyglot = simple_pdf("T", ["x"]) + b"\n%" + HTML  # a real PDF with HTML after %%EOF
    validate_document(SimpleUploadedFile("polyglot.pdf", polyglot))  # it is a PDF, so it is accepted
    material = MaterialFactory(file=ContentFile(polyglot, name="polyglot.pdf"), is_public=False)

    response = client.get(reverse("elearning:material_download", args=[material.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == polyglot


def test_an_office_document_is_downloaded_with_its_own_type(client, learner):
    material = MaterialFactory(file=ContentFile(DOCX, name="vorlage.docx"), kind=Material.Kind.TEMPLATE)

    response = client.get(reverse("elearning:material_download", args=[material.pk]))

    body(response)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_lesson_attachment_is_a_download(client, learner):
    module = ModuleFactory()
    LessonFactory(module=module, position=1)
    lesson = LessonFactory(module=module, position=2)
    attachment = LessonAttachment.objects.create(
        lesson=lesson, title_de="Vorlage", title_en="Template", file=ContentFile(image("PNG"), name="x.png")
    )

    response = client.get(reverse("elearning:attachment", args=[attachment.pk]))

    assert response.status_code == 200
    body(response)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_lesson_video_plays_inline_as_video_with_nosniff(client, learner):
    module = ModuleFactory()
    lesson = LessonFactory(
        module=module, position=1, video_file=ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\0" * 64, name="c.mp4")
    )

    response = client.get(reverse("elearning:video", args=[module.slug, lesson.pk]))

    assert response.status_code == 200
    body(response)
    assert response["Content-Type"] == "video/mp4"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_certificate_is_a_pdf_download_with_nosniff(client):
    from academy.models import Certificate

    user = person()
    certificate = Certificate.objects.create(
        kind=Certificate.Kind.EVENT,
        subject_key="event:1",
        recipient=user,
        title="Seminar",
        file=ContentFile(simple_pdf("N", ["x"]), name="c.pdf"),
    )
    client.force_login(user)

    response = client.get(reverse("academy:certificate_download", args=[certificate.pk]))

    body(response)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_roles_do_not_widen_what_an_upload_may_be(client):
    """Staff edit coach profiles in the admin with the same form: an SVG photo is refused there too."""
    from coaching.forms import AdminCoachProfileForm

    profile = CoachFactory()
    staff = person(is_staff=True, roles=[roles.STAFF])
    form = AdminCoachProfileForm(
        data={"user": profile.user_id, "bio": "x", "max_active_cases": 2, "languages": ["de"]},
        files={"photo": SimpleUploadedFile("p.png", SVG, content_type="image/png")},
        instance=profile,
    )

    assert staff.is_staff
    assert not form.is_valid()
    assert "photo" in form.errors
