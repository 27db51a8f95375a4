"""The recurrence rule of a series: what the form describes, as an RRULE (RFC 5545), expanded in
the communities' local time (Asia/Shanghai).

A rule is stored as RRULE text without DTSTART (``Series.rule``); the first visit
(``Series.dtstart``) gives its local wall-clock time. Expansion works on naive local times and
makes each one aware in ``LOCAL_TZ``, so a 09:00 visit stays at 09:00 local on every date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from bookings.exceptions import BookingError
from marketplace.policy import LOCAL_TZ, MINIMUM_NOTICE, SERIES_MAX_SPAN, SERIES_MAX_VISITS

#: The frequencies the form offers.
WEEKLY, FORTNIGHTLY, WEEKDAYS, MONTHLY = "weekly", "fortnightly", "weekdays", "monthly"
FREQUENCIES = (WEEKLY, FORTNIGHTLY, WEEKDAYS, MONTHLY)
#: RFC 5545 weekday codes, Monday first (Python's ``date.weekday()``).
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: The weekdays (0 = Monday) and frequencies as residents read them (the form and the summary).
WEEKDAY_LABELS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
FREQUENCY_LABELS = {
    WEEKLY: gettext_lazy("Every week"),
    FORTNIGHTLY: gettext_lazy("Every two weeks"),
    WEEKDAYS: gettext_lazy("Every weekday (Monday to Friday)"),
    MONTHLY: gettext_lazy("Every month"),
}


class SeriesRuleError(BookingError):
    """A series the policy does not allow: no visit, a start in the past, too long (400)."""


@dataclass(frozen=True)
class SeriesRule:
    """A series' rule: ``rrule`` text (no DTSTART) and ``dtstart``, aware local first possible
    visit (the start date at the visit time; the first visit is the first match on or after it).
    """

    rrule: str
    dtstart: datetime

    def starts(self, *, after: datetime | None = None, before: datetime | None = None):
        """The visits' aware local starts with ``after`` < start <= ``before`` (all if None)."""
        rule = rrulestr(self.rrule, dtstart=self.dtstart.astimezone(LOCAL_TZ).replace(tzinfo=None))
        for naive in rule:
            moment = naive.replace(tzinfo=LOCAL_TZ)
            if before is not None and moment > before:
                return
            if after is None or moment > after:
                yield moment


def build_rule(
    *,
    frequency: str,
    start_date: date,
    at: time,
    weekdays: list[int] | tuple[int, ...] = (),
    day_of_month: int | None = None,
    until: date | None = None,
    count: int | None = None,
) -> SeriesRule:
    """The RRULE for what the form asked: ``frequency`` (``FREQUENCIES``) with ``weekdays``
    (0 = Monday, for weekly and fortnightly) or ``day_of_month`` (1–31, monthly: a day a month
    lacks means its last day, so "the 31st" is 30 April and 28 or 29 February), at local time
    ``at`` from ``start_date`` until the local date ``until`` (inclusive) or for ``count`` visits.

    Raises ``SeriesRuleError`` for an unknown frequency, no weekday, neither or both of
    ``until`` and ``count``."""
    if frequency not in FREQUENCIES:
        raise SeriesRuleError(_("Please choose how often the visits should be."))
    parts = []
    if frequency in (WEEKLY, FORTNIGHTLY):
        days = sorted({int(d) for d in weekdays if 0 <= int(d) <= 6})
        if not days:
            raise SeriesRuleError(_("Please choose at least one weekday."))
        parts += ["FREQ=WEEKLY", f"INTERVAL={2 if frequency == FORTNIGHTLY else 1}"]
        parts.append("BYDAY=" + ",".join(DAY_CODES[d] for d in days))
    elif frequency == WEEKDAYS:
        parts += ["FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR"]
    else:
        day = day_of_month or start_date.day
        if not 1 <= day <= 31:
            raise SeriesRuleError(_("The day of the month must be 1 to 31."))
        parts.append("FREQ=MONTHLY")
        if day <= 28:
            parts.append(f"BYMONTHDAY={day}")
        else:
            # The last of 28..day that the month has: the 31st, or the month's last day.
            parts.append("BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)))
            parts.append("BYSETPOS=-1")
    if (until is None) == (count is None):
        raise SeriesRuleError(_("Please give either an end date or a number of visits."))
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    else:
        if count < 1:
            raise SeriesRuleError(_("A series needs at least one visit."))
        parts.append(f"COUNT={count}")
    return SeriesRule(
        rrule=";".join(parts), dtstart=datetime.combine(start_date, at, tzinfo=LOCAL_TZ)
    )


def validate_rule(rule: SeriesRule, *, now: datetime | None = None) -> list[datetime]:
    """Every visit of ``rule`` (aware local), checked against the policy.

    Raises ``SeriesRuleError``: a rule with no visit; a first visit in the past or within the
    booking notice (``MINIMUM_NOTICE``); more than ``SERIES_MAX_VISITS`` visits, or a last visit
    more than ``SERIES_MAX_SPAN`` after the first."""
    now = now or timezone.now()
    latest = rule.dtstart + SERIES_MAX_SPAN
    visits = []
    for start in rule.starts():
        if len(visits) >= SERIES_MAX_VISITS or start > latest:
            raise SeriesRuleError(
                _(
                    "A series may have at most %(visits)d visits within %(days)d days. "
                    "Please choose an earlier end."
                )
                % {"visits": SERIES_MAX_VISITS, "days": SERIES_MAX_SPAN.days}
            )
        visits.append(start)
    if not visits:
        raise SeriesRuleError(_("These choices give no visit at all. Please check the dates."))
    if visits[0] < now + MINIMUM_NOTICE:
        raise SeriesRuleError(
            _("The first visit must be at least %(hours)d hours from now.")
            % {"hours": int(MINIMUM_NOTICE / timedelta(hours=1))}
        )
    return visits


def describe(rrule: str, dtstart: datetime) -> str:
    """How often a rule (as ``build_rule`` writes it) visits, in the active language: the
    frequency, its weekdays or day of the month, and the local time of day ("Every week
    Tuesday 09:00"). Made when shown, so it reads in the reader's language whoever booked it;
    "" for a rule ``build_rule`` never writes."""
    parts = dict(p.split("=", 1) for p in rrule.split(";") if "=" in p)
    at = f"{timezone.localtime(dtstart, LOCAL_TZ):%H:%M}"
    days = [DAY_CODES.index(d) for d in parts.get("BYDAY", "").split(",") if d in DAY_CODES]
    if parts.get("FREQ") == "WEEKLY" and "INTERVAL" not in parts and days == [0, 1, 2, 3, 4]:
        return f"{FREQUENCY_LABELS[WEEKDAYS]} {at}"
    if parts.get("FREQ") == "WEEKLY" and days:
        how = FREQUENCY_LABELS[FORTNIGHTLY if parts.get("INTERVAL") == "2" else WEEKLY]
        joiner = "、" if (get_language() or "").startswith("zh") else ", "
        return f"{how} {joiner.join(str(WEEKDAY_LABELS[d]) for d in days)} {at}"
    if parts.get("FREQ") == "MONTHLY" and parts.get("BYMONTHDAY"):
        day = parts["BYMONTHDAY"].split(",")[-1]
        on_day = _("on day %(day)s") % {"day": day}
        return f"{FREQUENCY_LABELS[MONTHLY]} {on_day} {at}"
    return ""
