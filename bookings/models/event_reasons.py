"""The timeline's reasons (``AppointmentEvent.reason``): the services store a fixed reason as its
untranslated source text (``STANDARD_REASONS``) with the values it names in
``AppointmentEvent.reason_params``; ``reason_shown`` translates and fills it in for the reader.
Anything else in ``reason`` is a person's own words (a resident's cancel reason), shown as
written."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_noop

#: The fixed reasons of appointment events, stored untranslated (one language per row, any
#: reader's language at render time: ``AppointmentEvent.display_reason``).
STANDARD_REASONS = frozenset(
    (
        gettext_noop("Assigned to another worker"),
        gettext_noop("Assigned by a manager"),
        gettext_noop("Accepted by the worker"),
        gettext_noop("Booked by the resident"),
        gettext_noop("Booking confirmed"),
        gettext_noop("The booking could not be completed; nothing was charged"),
        gettext_noop("Cancelled by the resident"),
        gettext_noop("Another worker takes the new time"),
        gettext_noop("Worker checked in"),
        gettext_noop("Completed"),
        gettext_noop("Completed: %(notes)s"),
        gettext_noop("No-show: %(notes)s"),
        gettext_noop("Moved from %(old)s to %(new)s"),
        gettext_noop("The worker can no longer do this job; it goes to another worker."),
        gettext_noop("Waiting list offer withdrawn"),
        gettext_noop("Waiting list offer expired unanswered"),
        gettext_noop("One visit of a series skipped"),
        gettext_noop("The series was ended"),
        gettext_noop("A second click on the same booking"),
        gettext_noop("This order is already being paid"),
        gettext_noop("The card was declined; nothing was charged"),
        gettext_noop("No saved card; nothing was charged"),
        gettext_noop("The card service could not be reached; nothing was charged"),
        gettext_noop("The card payment did not go through"),
        gettext_noop("The booking was not completed in time"),
    )
)

#: Parameters of a fixed reason that are a person's own words (shown as written).
WORDS_PARAMS = frozenset(("notes",))
#: Parameters of a fixed reason that are times: stored as ISO 8601 (UTC offset included) and
#: shown as a local date and time in the reader's language.
TIME_PARAMS = frozenset(("old", "new"))


def _shown_param(name: str, value):
    """A stored reason parameter as the reader sees it: times local and in their language,
    anything else (a person's own words) as written."""
    if name in TIME_PARAMS and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        local = timezone.localtime(moment)
        return f"{date_format(local, 'MONTH_DAY_FORMAT')} {local:%H:%M}"
    return value


def reason_shown(reason: str, params: dict, *, mark_words: bool) -> str:
    """``reason`` in the active language: a fixed reason translated, its times local, a
    person's words as written. With ``mark_words`` the result is safe HTML (every part escaped)
    with the person's words marked ``translate="no"``; otherwise plain text."""

    def words(text):
        return format_html('<span translate="no">{}</span>', text) if mark_words else text

    if reason not in STANDARD_REASONS:
        return words(reason)
    text = gettext(reason)
    if not params:
        return conditional_escape(text) if mark_words else text
    values = {k: words(v) if k in WORDS_PARAMS else _shown_param(k, v) for k, v in params.items()}
    try:
        if mark_words:
            return mark_safe(  # noqa: S308 (the text and every value are escaped)
                conditional_escape(text) % {k: conditional_escape(v) for k, v in values.items()}
            )
        return text % values
    except (KeyError, TypeError, ValueError):
        return text
