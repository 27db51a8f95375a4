"""The recurrence rule in Asia/Shanghai: month ends, the 31st, weekdays, fortnights, the policy."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from bookings.series.rules import (
    FORTNIGHTLY,
    MONTHLY,
    WEEKDAYS,
    WEEKLY,
    SeriesRuleError,
    build_rule,
    describe,
    validate_rule,
)
from marketplace.policy import LOCAL_TZ, SERIES_MAX_VISITS


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched by their English text."""
    with translation.override("en"):
        yield


def local_dates(rule):
    return [(s.date(), s.time()) for s in rule.starts()]


def test_the_31st_falls_on_each_months_last_day_when_the_month_is_shorter():
    rule = build_rule(
        frequency=MONTHLY, start_date=date(2027, 1, 1), at=time(9), day_of_month=31, count=7
    )
    assert [d for d, _ in local_dates(rule)] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
        date(2027, 6, 30),
        date(2027, 7, 31),
    ]


def test_the_30th_in_a_leap_february_is_the_29th():
    rule = build_rule(
        frequency=MONTHLY, start_date=date(2028, 1, 30), at=time(9), day_of_month=30, count=3
    )
    assert [d for d, _ in local_dates(rule)] == [
        date(2028, 1, 30),
        date(2028, 2, 29),
        date(2028, 3, 30),
    ]


def test_visits_keep_their_local_time_and_are_shanghai_times():
    rule = build_rule(
        frequency=WEEKLY, start_date=date(2027, 12, 28), at=time(7, 30), weekdays=[4], count=3
    )
    starts = list(rule.starts())
    # Across the year end, every visit is 07:30 in Shanghai: 23:30 UTC the day before.
    assert [s.astimezone(UTC) for s in starts] == [
        datetime(2027, 12, 30, 23, 30, tzinfo=UTC),
        datetime(2028, 1, 6, 23, 30, tzinfo=UTC),
        datetime(2028, 1, 13, 23, 30, tzinfo=UTC),
    ]
    assert all(s.tzinfo == LOCAL_TZ for s in starts)


def test_a_month_end_day_until_date_is_inclusive():
    rule = build_rule(
        frequency=WEEKDAYS, start_date=date(2027, 1, 29), at=time(9), until=date(2027, 2, 1)
    )
    # Friday 29 January, Monday 1 February (the until date itself); no weekend.
    assert [d for d, _ in local_dates(rule)] == [date(2027, 1, 29), date(2027, 2, 1)]


def test_fortnightly_on_tuesday_and_thursday():
    rule = build_rule(
        frequency=FORTNIGHTLY, start_date=date(2027, 3, 1), at=time(14), weekdays=[1, 3], count=4
    )
    assert [d for d, _ in local_dates(rule)] == [
        date(2027, 3, 2),
        date(2027, 3, 4),
        date(2027, 3, 16),
        date(2027, 3, 18),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": "hourly", "count": 3},
        {"frequency": WEEKLY, "weekdays": [], "count": 3},
        {"frequency": WEEKLY, "weekdays": [0]},  # neither until nor count
        {"frequency": WEEKLY, "weekdays": [0], "count": 3, "until": date(2027, 5, 1)},
        {"frequency": MONTHLY, "day_of_month": 32, "count": 3},
    ],
)
def test_a_form_that_describes_no_rule_is_refused(kwargs):
    with pytest.raises(SeriesRuleError):
        build_rule(start_date=date(2027, 1, 1), at=time(9), **kwargs)


def _soon(days=2):
    return timezone.localdate() + timedelta(days=days)


def test_a_rule_with_no_visit_is_refused():
    start = _soon()
    # Weekly on a weekday that does not come before the end date.
    other_day = (start.weekday() + 3) % 7
    rule = build_rule(
        frequency=WEEKLY, start_date=start, at=time(10), weekdays=[other_day], until=start
    )
    with pytest.raises(SeriesRuleError, match="no visit"):
        validate_rule(rule)


def test_a_start_in_the_past_is_refused():
    rule = build_rule(
        frequency=WEEKDAYS,
        start_date=timezone.localdate() - timedelta(days=3),
        at=time(10),
        count=5,
    )
    with pytest.raises(SeriesRuleError):
        validate_rule(rule)


def test_a_series_longer_than_the_policy_is_refused():
    too_many = build_rule(
        frequency=WEEKDAYS, start_date=_soon(), at=time(10), count=SERIES_MAX_VISITS + 1
    )
    too_long = build_rule(
        frequency=WEEKLY, start_date=_soon(), at=time(10), weekdays=[0], until=_soon(400)
    )
    for rule in (too_many, too_long):
        with pytest.raises(SeriesRuleError, match="at most"):
            validate_rule(rule)
    fine = build_rule(frequency=WEEKDAYS, start_date=_soon(), at=time(10), count=20)
    assert len(validate_rule(fine)) == 20
    assert all(s.astimezone(LOCAL_TZ).weekday() < 5 for s in validate_rule(fine))


@pytest.mark.parametrize(
    ("frequency", "weekdays", "day", "en", "zh"),
    [
        (WEEKLY, [1], None, "Every week Tuesday 09:00", "每周 星期二 09:00"),
        (
            FORTNIGHTLY,
            [0, 3],
            None,
            "Every two weeks Monday, Thursday 09:00",
            "每两周 星期一、星期四 09:00",
        ),
        (
            WEEKDAYS,
            [],
            None,
            "Every weekday (Monday to Friday) 09:00",
            "每个工作日（周一至周五） 09:00",
        ),
        (MONTHLY, [], 31, "Every month on day 31 09:00", "每月 31 日 09:00"),
    ],
)
def test_a_rule_is_described_in_the_readers_language(frequency, weekdays, day, en, zh):
    rule = build_rule(
        frequency=frequency,
        start_date=date(2026, 12, 1),
        at=time(9),
        weekdays=weekdays,
        day_of_month=day,
        count=4,
    )
    assert describe(rule.rrule, rule.dtstart) == en
    with translation.override("zh-hans"):
        assert describe(rule.rrule, rule.dtstart) == zh


def test_a_rule_it_cannot_read_is_not_described():
    assert describe("FREQ=DAILY;COUNT=3", datetime(2026, 12, 1, 9, tzinfo=LOCAL_TZ)) == ""
