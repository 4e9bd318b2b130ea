"""Public images (logos, coach photos, module covers) are served by the portal in every environment; nothing
else under MEDIA_ROOT is, whatever name someone tries."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def stored():
    names = []

    def store(name: str, content: bytes) -> str:
        saved = default_storage.save(name, ContentFile(content))
        names.append(saved)
        return saved

    yield store
    for name in names:
        default_storage.delete(name)


def test_a_coach_photo_is_served_as_an_image_that_cannot_run_as_a_page(client, stored):
    name = stored("coaching/photos/3f2a.png", png_bytes())
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == png_bytes()


@pytest.mark.parametrize(
    "name",
    [
        "certificates/abc.pdf",  # private: only the certificate view serves it, to those allowed
        "exports/abc.zip",
        "elearning/materials/abc.pdf",
        "organisations/logos/page.html",  # not an image type
        "organisations/logos/../../certificates/abc.pdf",
        "coaching/photos/missing.png",
    ],
)
def test_nothing_else_is_served(client, stored, name):
    stored("certificates/abc.pdf", b"%PDF-1.7 private")
    stored("organisations/logos/page.html", b"<script>alert(1)</script>")
    assert client.get(f"/media/{name}").status_code == 404
