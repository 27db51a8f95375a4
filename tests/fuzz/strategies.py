"""Hypothesis strategies for what a browser, a script or an attacker may type into a field."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: The fuzz tests' settings: fixed examples (``derandomize``, no example database), so CI runs
#: the same few hundred requests every time in well under a minute; no per-example deadline
#: (a request may take a few hundred milliseconds on a busy machine).
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_offsets = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=8)),
        timezone(timedelta(hours=14)),
        timezone(-timedelta(hours=12)),
    ]
)

#: Numbers as text: ids, prices, huge, negative, Unicode digits, exponents.
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["²", "٣", "1.5", "1e400", "-0", "0x10", "1_000", "NaN", " 7 ", "9" * 300]),
)
#: Dates and times of any year from 1 to 9999, in ISO 8601 and local forms.
moments = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=_offsets).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.times().map(lambda t: t.isoformat()),
    st.sampled_from(["0001-01-01", "9999-12-31", "9999-12-31T23:59:59-12:00", "2026-02-30"]),
)
#: Text of any kind: Unicode (NUL, full-width, RTL, emoji), long ASCII, formula-like.
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="ascii"), min_size=90, max_size=400),
    st.sampled_from(["=1+1", "@SUM(A1)", "a\x00b", "<script>", "../../etc/passwd", " "]),
)
#: The values found by hand to break a view, and their kin: tried first and often.
edges = st.sampled_from(
    [
        "²",
        "a\x00b",
        "k" * 200,
        "99999999999999999999",
        "-1",
        "0001-01-01",
        "9999-12-31",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "9999-12-31T23:59",
        "NaN",
        "1e400",
    ]
)
#: Anything a field may hold.
anything = st.one_of(edges, numbers, moments, texts, st.just(""))


def field(valid):
    """A form field: a valid value, a known edge, or anything."""
    return st.one_of(valid, edges, anything)
