"""The one way repairs tell people something: ``repair_notify``.

It wraps the notification API as it is on this branch (``bookings.notify.channels``: the in-app
inbox copy, then email and SMS by ``deliver``), so the lead can rewire it to the notification
issue's machinery at merge by changing this module alone. Sending happens after the caller's
transaction commits (no lock is held across the network, and a rolled-back change tells
nobody). Each text is rendered in the recipient's own language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from bookings.notify.channels import deliver, inbox_write
from bookings.notify.messages import Message

log = logging.getLogger("linli.repairs")


def repair_notify(users: Iterable, text: Callable[[], tuple[str, str]], *, path: str = "") -> None:
    """Tell each of ``users`` (``None`` skipped, each once) on commit.

    ``text()`` returns (subject, body) and is called inside the recipient's language, so it
    should use ``gettext`` (not lazy strings). ``path`` (a site path) is appended as a link.
    """
    recipients = {u.pk: u for u in users if u is not None}.values()
    link = settings.SITE_URL.rstrip("/") + path if path else ""

    def send():
        for user in recipients:
            with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
                subject, body = text()
            full = f"{body}\n{link}" if link else body
            message = Message(subject=subject, body=full, sms=f"{subject} {link}".strip())
            try:
                inbox_write(user, message)
                deliver(user, message)
            except Exception:  # noqa: BLE001 — a failed notice must not undo the repair
                log.exception("repair notice to user %s failed", user.pk)

    transaction.on_commit(send)


def request_path(request_id: int, *, role: str) -> str:
    """The page of a request for ``role``: resident, worker or desk."""
    names = {"resident": "repairs:detail", "worker": "repairs:job", "desk": "repairs:desk-detail"}
    return reverse(names[role], args=[request_id])
