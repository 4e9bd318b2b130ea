"""Checks for images people upload through the portal (organisation logos, coach photos).

An image is accepted by what it contains, not by its name: Pillow must read it as PNG, JPEG, GIF or WebP
(never SVG, which is XML and can carry script). The stored name is random, with the ending of the format
Pillow found, so that a file called "logo.html" or "photo.svg" can never be served as anything but the
image it is (with X-Content-Type-Options: nosniff).
"""

import uuid

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


def image_format(file) -> str:
    """The image's format as Pillow reads it from the bytes; ValidationError if it is not one we take."""
    from PIL import Image, UnidentifiedImageError

    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
            found = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This file is not an image we can read."), code="not_an_image") from error
    finally:
        file.seek(position)
    if found not in IMAGE_FORMATS:
        raise ValidationError(_("Please upload a PNG, JPEG, GIF or WebP image."), code="format")
    return found


def image_upload_clean(file, *, max_bytes: int):
    """Checks a new upload (size first, then content) and gives it a random name with the right ending.

    Files already stored (editing a profile without a new upload) are returned unchanged.
    """
    if not file or not hasattr(file, "content_type"):  # nothing new uploaded ("clear" is False)
        return file
    if file.size > max_bytes:
        raise ValidationError(
            _("The image is %(size)s large; at most %(limit)s are allowed."),
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
        )
    extension = IMAGE_FORMATS[image_format(file)]
    file.name = f"{uuid.uuid4().hex}{extension}"
    return file
