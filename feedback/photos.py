"""Complaint photos: ``marketplace.photos``, its refusal raised as a ``FeedbackError`` (400)."""

from __future__ import annotations

from feedback.exceptions import FeedbackError
from feedback.policy import PHOTO_MAX_BYTES, PHOTO_MAX_SIDE
from marketplace import photos


class PhotoRefused(FeedbackError):
    """Not an image we accept, or too big (the reason is the message)."""


def photo_clean(upload, *, max_bytes: int = PHOTO_MAX_BYTES, max_side: int = PHOTO_MAX_SIDE):
    """``marketplace.photos.photo_clean``; raises ``PhotoRefused``."""
    try:
        return photos.photo_clean(upload, max_bytes=max_bytes, max_side=max_side)
    except photos.PhotoRefused as exc:
        raise PhotoRefused(str(exc)) from exc


def photos_clean(uploads, *, max_count: int) -> list:
    """``marketplace.photos.photos_clean``; raises ``PhotoRefused``."""
    try:
        return photos.photos_clean(uploads, max_count=max_count)
    except photos.PhotoRefused as exc:
        raise PhotoRefused(str(exc)) from exc
