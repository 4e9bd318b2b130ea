"""Uploads are checked by what they contain, not by their name, and by size (settings.ELEARNING_*_MAX_BYTES).

A file whose name claims one type while its bytes are another (a script renamed to .pdf, a PNG renamed to
.docx) is refused, so that nobody downloads something other than what the library promises.
"""

import os
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# detected type → the file name endings that may carry it
EXTENSIONS = {
    "pdf": {".pdf"},
    "docx": {".docx"},
    "xlsx": {".xlsx"},
    "pptx": {".pptx"},
    "odt": {".odt"},
    "png": {".png"},
    "jpeg": {".jpg", ".jpeg"},
    "mp4": {".mp4", ".m4v"},
    "webm": {".webm"},
}
DOCUMENT_TYPES = ("pdf", "docx", "xlsx", "pptx", "odt", "png", "jpeg")
VIDEO_TYPES = ("mp4", "webm")
IMAGE_TYPES = ("png", "jpeg")

# the entry a zip archive must hold to be this Office Open XML document
OOXML_ENTRIES = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _zip_type(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for entry, kind in OOXML_ENTRIES.items():
                    if entry in names:
                        return kind
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return None
    return None


def _is_ftyp_box(head: bytes) -> bool:
    """An ISO media file starts with its `ftyp` box: a plausible box size and a brand of printable ASCII (text
    that merely has "ftyp" at offset 4, such as "<htmftyp…", is not a video)."""
    size = int.from_bytes(head[:4], "big")
    brand = head[8:12]
    return 16 <= size <= 4096 and len(brand) == 4 and all(0x20 <= byte < 0x7F for byte in brand)


def detect_type(file) -> str | None:
    """The file's real type from its first bytes (and, for zip containers, their entries), or None."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        head = file.read(16)
        if head.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if head[4:8] == b"ftyp" and _is_ftyp_box(head):
            return "mp4"
        if head.startswith(b"\x1a\x45\xdf\xa3"):
            return "webm"
        if head.startswith(b"PK\x03\x04"):
            file.seek(0)
            return _zip_type(file)
        return None
    finally:
        file.seek(position)


def _check(file, *, allowed: tuple[str, ...], max_bytes: int, allowed_label: str) -> None:
    if getattr(file, "_committed", False):  # stored already; it was checked when it was uploaded
        return
    if file.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s large; at most %(limit)s are allowed."),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
        )
    kind = detect_type(file)
    if kind not in allowed:
        raise ValidationError(
            _("This file's content is not an allowed type. Allowed: %(types)s."),
            code="type",
            params={"types": allowed_label},
        )
    extension = os.path.splitext(file.name or "")[1].lower()
    if extension not in EXTENSIONS[kind]:
        raise ValidationError(
            _("The file's name (%(extension)s) does not match its content (%(kind)s). Please check the file."),
            code="mismatch",
            params={"extension": extension or "–", "kind": kind.upper()},
        )


def validate_document(file) -> None:
    _check(
        file,
        allowed=DOCUMENT_TYPES,
        max_bytes=settings.ELEARNING_DOCUMENT_MAX_BYTES,
        allowed_label="PDF, DOCX, XLSX, PPTX, ODT, PNG, JPEG",
    )


def validate_video(file) -> None:
    _check(file, allowed=VIDEO_TYPES, max_bytes=settings.ELEARNING_VIDEO_MAX_BYTES, allowed_label="MP4, WebM")


def validate_image(file) -> None:
    _check(file, allowed=IMAGE_TYPES, max_bytes=settings.ELEARNING_IMAGE_MAX_BYTES, allowed_label="PNG, JPEG")


def _random_name(folder: str, filename: str) -> str:
    """Stored names keep only the (validated) ending; they are random and say nothing about the content."""
    extension = os.path.splitext(filename)[1].lower()
    return f"elearning/{folder}/{uuid.uuid4().hex}{extension}"


def upload_cover(instance, filename: str) -> str:
    return _random_name("covers", filename)


def upload_video(instance, filename: str) -> str:
    return _random_name("videos", filename)


def upload_attachment(instance, filename: str) -> str:
    return _random_name("attachments", filename)


def upload_material(instance, filename: str) -> str:
    return _random_name("materials", filename)
