"""The one way the feedback app tells someone something (inbox, email, SMS).

It goes through ``bookings.notify.channels`` as it stands (``inbox_write`` in the caller's
transaction, ``deliver`` after commit, never under a lock). When the notification engine
gains its own entry point, only ``notify`` changes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation

from bookings.notify.channels import deliver, inbox_write
from bookings.notify.messages import Message


def _language(user) -> str:
    language = getattr(user, "language", "")
    return language if language in dict(settings.LANGUAGES) else "zh-hans"


def notify(users, render) -> None:
    """Tell each of ``users`` what ``render()`` returns in their language.

    ``render`` is called once per user under ``translation.override(<their language>)`` and
    returns ``(subject, body, sms)``. The inbox copy is written now (inside the caller's
    transaction); email and SMS leave on commit. Duplicate users are told once."""
    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        with translation.override(_language(user)):
            subject, body, sms = render()
        message = Message(subject=str(subject), body=str(body), sms=str(sms))
        inbox_write(user, message)
        transaction.on_commit(lambda u=user, m=message: deliver(u, m))


def site_url(path: str) -> str:
    """``path`` as an absolute address on the configured public site."""
    return settings.SITE_URL.rstrip("/") + path
