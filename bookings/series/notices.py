"""The one way a series tells its resident something: an inbox copy and email/SMS through the
existing ``bookings.notify.channels`` API, in the resident's language. (Kept in one function so
the notifications work can rewire it in one place.)"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from bookings.notify.channels import deliver, inbox_write
from bookings.notify.messages import Message


def series_tell(user, *, subject, body) -> None:
    """Tell ``user`` ``subject`` and ``body`` (lazy or callable texts, rendered in the user's
    language: zh-hans unless they chose English). Call it after the commit: email and SMS are
    network calls."""
    language = user.language if user.language in dict(settings.LANGUAGES) else "zh-hans"
    with translation.override(language):
        subject_text = str(subject() if callable(subject) else subject)
        body_text = str(body() if callable(body) else body)
    message = Message(subject=subject_text, body=body_text + "\n", sms=subject_text)
    inbox_write(user, message)
    deliver(user, message)
