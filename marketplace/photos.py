"""Uploaded photos, made safe to keep and show: one helper for every app (complaints, repairs).

``photo_clean(upload)`` checks what a file really is (Pillow opens it; the name and the
browser's content type are not trusted), its size, and returns a new JPEG or PNG: resized to
at most ``PHOTO_MAX_SIDE`` pixels on its longest side, turned upright by its EXIF
orientation, and with no metadata at all (EXIF carries GPS). Raises ``PhotoRefused``.
"""

from __future__ import annotations

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.policy import PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE

#: Formats accepted, and the format each is stored as.
ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "JPEG", "MPO": "JPEG"}


class PhotoRefused(ValueError):
    """Not an image we accept, or too big; ``str()`` is the translated reason for the user.
    Each app turns it into its own 400 error (``feedback.photos``, ``repairs.photos``)."""


def photo_clean(upload, *, max_bytes: int = PHOTO_MAX_BYTES, max_side: int = PHOTO_MAX_SIDE):
    """A new upload (``SimpleUploadedFile``) holding ``upload``'s picture without metadata.

    ``upload``: a Django ``UploadedFile``. ``max_bytes`` bounds the file as sent,
    ``max_side`` (pixels) the stored picture. Raises ``PhotoRefused`` for a file that is too
    big, is no image, or is an image of another format (GIF, TIFF, SVG...)."""
    if upload.size > max_bytes:
        raise PhotoRefused(
            _("The photo %(name)s is larger than %(mb)s MB.")
            % {"name": upload.name, "mb": max_bytes // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise PhotoRefused(
                    _("The photo %(name)s has too many pixels.") % {"name": upload.name}
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            picture = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoRefused(
            _("%(name)s is not a photo we can read (JPEG, PNG or WebP).") % {"name": upload.name}
        ) from None
    if kind not in ACCEPTED:
        raise PhotoRefused(_("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": upload.name})
    target = ACCEPTED[kind]
    picture.thumbnail((max_side, max_side))
    if target == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif target == "PNG" and picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA")
    # A fresh image from the pixels alone: no EXIF, no XMP, no text chunks, no GPS.
    clean = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    out = io.BytesIO()
    clean.save(out, format=target, **({"quality": 85} if target == "JPEG" else {}))
    # A random name: media files are served without a login, so the address must be
    # unguessable (and the resident's file name may carry personal details).
    stem = uuid.uuid4().hex
    suffix = "jpg" if target == "JPEG" else "png"
    return SimpleUploadedFile(
        f"{stem}.{suffix}", out.getvalue(), content_type=f"image/{suffix.replace('jpg', 'jpeg')}"
    )


def photos_clean(uploads, *, max_count: int) -> list:
    """``photo_clean`` for each of ``uploads``; raises ``PhotoRefused`` for more than
    ``max_count`` files or for the first bad one (so nothing is kept)."""
    uploads = list(uploads)
    if len(uploads) > max_count:
        raise PhotoRefused(_("At most %(n)d photos.") % {"n": max_count})
    return [photo_clean(u) for u in uploads]
