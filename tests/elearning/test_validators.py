import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from elearning.pdf import simple_pdf
from elearning.validators import detect_type, validate_document, validate_image, validate_video

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 32


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"})
XLSX = zipped({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})
PPTX = zipped({"[Content_Types].xml": b"<x/>", "ppt/presentation.xml": b"<x/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.pdf", simple_pdf("T", ["x"]), "pdf"),
        ("a.png", PNG, "png"),
        ("a.jpg", JPEG, "jpeg"),
        ("a.docx", DOCX, "docx"),
        ("a.xlsx", XLSX, "xlsx"),
        ("a.pptx", PPTX, "pptx"),
        ("a.odt", ODT, "odt"),
    ],
)
def test_real_documents_pass(name, content, kind):
    file = upload(name, content)
    assert detect_type(file) == kind
    validate_document(file)
    assert file.tell() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00 this is a windows program"),  # a program that calls itself a PDF
        ("report.pdf", b"<script>alert(1)</script>"),
        ("letter.docx", zipped({"evil.sh": b"rm -rf /"})),  # a zip that is no Word document
        ("notes.txt", b"plain text"),
        ("movie.mp4", MP4),  # a video is not a document
    ],
)
def test_files_that_are_not_documents_are_refused(name, content):
    with pytest.raises(ValidationError) as error:
        validate_document(upload(name, content))
    assert error.value.code == "type"


def test_a_file_whose_name_lies_about_its_type_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_document(upload("checklist.pdf", PNG))  # an image named .pdf
    assert error.value.code == "mismatch"
    assert "does not match" in str(error.value.messages[0])


def test_too_large_is_refused(settings):
    settings.ELEARNING_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        validate_document(upload("a.pdf", simple_pdf("Big", ["x" * 50] * 10)))
    assert error.value.code == "too_large"
    assert "at most 100" in error.value.messages[0]


def test_videos_by_content():
    validate_video(upload("a.mp4", MP4))
    validate_video(upload("a.webm", WEBM))
    with pytest.raises(ValidationError):
        validate_video(upload("a.mp4", simple_pdf("no video", [])))
    with pytest.raises(ValidationError):
        validate_video(upload("a.webm", MP4))


def test_cover_images_by_content():
    validate_image(upload("cover.png", PNG))
    with pytest.raises(ValidationError):
        validate_image(upload("cover.png", simple_pdf("no image", [])))
