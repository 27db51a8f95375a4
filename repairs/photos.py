"""Photos of a repair: validated, resized and stripped of EXIF (location, camera) with Pillow.

``photo_clean(upload)`` → a JPEG ``ContentFile``; raises ``RepairError`` (400) for a file that is
not a JPEG, PNG or WebP image, is larger than ``PHOTO_MAX_BYTES`` or has more than
``PHOTO_MAX_PIXELS`` pixels. The orientation EXIF asks for is applied before it is dropped.
(The complaints app has a similar helper; the lead will unify them.)
"""

from __future__ import annotations

import io
import secrets

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from repairs.errors import RepairError
from repairs.policy import PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def photo_clean(upload) -> ContentFile:
    """Check and re-encode one uploaded photo (a Django ``UploadedFile``)."""
    if upload.size > PHOTO_MAX_BYTES:
        raise RepairError(
            _("A photo may be at most %(mb)d MB.") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise RepairError(_("Photos must be JPEG, PNG or WebP images."))
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise RepairError(_("This photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            # A fresh image carries no EXIF, XMP or ICC text: only the pixels are kept.
            clean = Image.new("RGB", image.size)
            clean.paste(image)
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85, optimize=True)
    except RepairError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise RepairError(_("This file is not an image we can read.")) from exc
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(8)}.jpg")
