"""Repair photos: ``marketplace.photos`` (checked, resized, EXIF stripped), its refusal raised
as a ``RepairError`` (400); the limits are the repairs policy's."""

from __future__ import annotations

from marketplace import photos
from repairs.errors import RepairError
from repairs.policy import PHOTO_MAX_BYTES, PHOTO_MAX_SIDE


def photo_clean(upload):
    """One uploaded photo (a Django ``UploadedFile``), re-encoded without metadata under a
    random name; raises ``RepairError``."""
    try:
        return photos.photo_clean(upload, max_bytes=PHOTO_MAX_BYTES, max_side=PHOTO_MAX_SIDE)
    except photos.PhotoRefused as exc:
        raise RepairError(str(exc)) from exc
