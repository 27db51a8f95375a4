"""The three rates and the credit grade on a small hand-computed fixture, and properties:
rates stay in 0–100 %, grades in 1–5, for random histories; a past month recomputes the same."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.complaints.services import (
    complaint_file,
    complaint_file_hotline,
    complaint_rate,
    complaint_resolve,
    complaint_respond,
)
from feedback.credit.figures import complaint_figures
from feedback.credit.grades import grade_enterprise, grade_provider, score_of, stars_for
from feedback.models import Complaint, CreditGrade
from marketplace.policy import LOCAL_TZ

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def history(resident, community, enterprise_editor):
    """Four complaints (hand-computed below)."""
    h = lambda hours: T + timedelta(hours=hours)  # noqa: E731
    file = lambda cat: complaint_file(  # noqa: E731
        user=resident, kind="property", category=cat, text="x", community=community, now=T
    )
    c1 = file("water")  # answered in 1 h (due 2 h), resolved, satisfied
    complaint_respond(complaint=c1, user=enterprise_editor, text="来了", now=h(1))
    complaint_resolve(complaint=c1, user=enterprise_editor, text="修好", now=h(5))
    complaint_rate(complaint=c1, user=resident, satisfaction="satisfied", now=h(6))
    c2 = file("other")  # answered after 30 h (due 24 h), resolved, dissatisfied
    complaint_respond(complaint=c2, user=enterprise_editor, text="晚了", now=h(30))
    complaint_resolve(complaint=c2, user=enterprise_editor, text="好了", now=h(48))
    complaint_rate(complaint=c2, user=resident, satisfaction="dissatisfied", now=h(49))
    file("other")  # c3: never answered
    c4 = complaint_file_hotline(
        staff=enterprise_editor,
        ticket="12345-9",
        community=community,
        kind="property",
        category="lift",
        text="x",
        now=T,
    )  # resolved in 1 h (which answers it), basically satisfied
    complaint_resolve(complaint=c4, user=enterprise_editor, text="好了", now=h(1))
    complaint_rate(complaint=c4, user=enterprise_editor, satisfaction="basic", now=h(2))
    return Complaint.objects.filter(community=community)


def test_the_three_rates_by_hand(history):
    f = complaint_figures(history, until=T + timedelta(days=3))
    # Response: c1 and c4 in time, c2 late, c3 overdue unanswered → 2 / 4.
    assert (f.count, f.responded_on_time, f.response_decided) == (4, 2, 4)
    assert f.response_rate == Decimal("0.5000")
    # Resolution: c1, c2, c4 resolved; c3 not yet due (7 days) → 3 / 3.
    assert f.resolution_rate == Decimal("1.0000")
    # Satisfaction: satisfied + basically satisfied of three answers → 2 / 3.
    assert f.satisfaction_rate == Decimal("0.6667")


def test_the_rates_as_of_an_earlier_moment_ignore_what_came_later(history):
    f = complaint_figures(history, until=T + timedelta(hours=3))
    # At 12:00: c1 answered in time, c4 answered in time; c2 and c3 not yet due.
    assert (f.responded_on_time, f.response_decided) == (2, 2)
    assert f.resolution_rate == Decimal("1.0000")  # c4 resolved, nothing else due
    assert f.satisfaction_rate == Decimal("1.0000")  # only c4 had answered (basic)


def test_the_grade_by_hand():
    inputs = {
        "completion_rate": "1.0000",
        "on_time_rate": "0.5000",
        "rating": "4.58",
        "complaints_per_100": "50.00",
        "response_rate": "0.5000",
        "resolution_rate": "1.0000",
        "satisfaction_rate": "0.6667",
    }
    # 0.2·1 + 0.15·0.5 + 0.2·(3.58/4) + 0.15·0 + 0.1·0.5 + 0.1·1 + 0.1·0.6667 = 0.67067
    assert score_of(inputs) == Decimal("0.6707")
    assert stars_for(score_of(inputs)) == 3
    # A grade kept before the repairs input: boards weigh 15 %, the rest × 0.85.
    assert score_of({**inputs, "boards": "1.0000"}) == Decimal("0.7201")
    # An enterprise with every board current and 3 of 4 repair steps on time: boards 15 %,
    # repairs 10 %, the rest × 0.75: 0.75·0.67067 + 0.15·1 + 0.10·0.75 = 0.72800.
    enterprise_inputs = {**inputs, "boards": "1.0000", "repairs_on_time": "0.7500"}
    assert score_of(enterprise_inputs) == Decimal("0.7280")
    assert stars_for(score_of(enterprise_inputs)) == 3
    # No repair step counted that month: neutral 0.8 → 0.50300 + 0.15 + 0.08 = 0.73300.
    assert score_of({**enterprise_inputs, "repairs_on_time": None}) == Decimal("0.7330")


def test_a_month_without_data_is_neutral_and_recomputes_the_same(provider, enterprise, history):
    grade = grade_provider(provider, date(2026, 2, 1))
    assert grade.stars == 4 and grade.score == Decimal("0.8000")
    march = grade_enterprise(enterprise, date(2026, 3, 1))
    again = grade_enterprise(enterprise, date(2026, 3, 1))
    assert (again.pk, again.stars, again.score, again.inputs) == (
        march.pk,
        march.stars,
        march.score,
        march.inputs,
    )
    assert march.inputs["complaints"] == 4
    assert march.inputs["response_rate"] == "0.5000"
    assert (march.inputs["repairs"], march.inputs["repairs_on_time"]) == (0, None)
    grade_enterprise(enterprise, date(2026, 2, 1))
    assert CreditGrade.objects.filter(enterprise=enterprise).count() == 2  # a history


rate = st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=4))


@settings(max_examples=30, deadline=None)
@given(
    completion=rate,
    on_time=rate,
    response=rate,
    resolution=rate,
    satisfaction=rate,
    rating=st.one_of(st.none(), st.decimals(min_value=1, max_value=5, places=2)),
    per100=st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
    boards=st.one_of(st.just("absent"), rate),
    repairs=st.one_of(st.just("absent"), rate),
)
def test_any_inputs_give_a_score_in_0_1_and_1_to_5_stars(
    completion, on_time, response, resolution, satisfaction, rating, per100, boards, repairs
):
    inputs = {
        "completion_rate": completion,
        "on_time_rate": on_time,
        "rating": rating,
        "complaints_per_100": per100,
        "response_rate": response,
        "resolution_rate": resolution,
        "satisfaction_rate": satisfaction,
    }
    if boards != "absent":
        inputs["boards"] = boards
    if repairs != "absent":
        inputs["repairs_on_time"] = repairs
    score = score_of(inputs)
    assert Decimal(0) <= score <= Decimal(1)
    assert 1 <= stars_for(score) <= 5


step = st.tuples(
    st.sampled_from(["water", "lift", "other", "fee_not_on_board"]),
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),  # answer after (h)
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),  # resolve after (h)
    st.sampled_from(["", "satisfied", "basic", "dissatisfied"]),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(step, min_size=1, max_size=5), until_h=st.integers(min_value=0, max_value=500)
)
def test_rates_stay_between_0_and_100_percent_for_random_histories(
    resident, community, enterprise_editor, steps, until_h
):
    ids = []
    for category, answer, resolve, satisfaction in steps:
        c = complaint_file(
            user=resident, kind="property", category=category, text="x", community=community, now=T
        )
        ids.append(c.pk)
        if answer is not None:
            complaint_respond(
                complaint=c, user=enterprise_editor, text="a", now=T + timedelta(hours=answer)
            )
        if resolve is not None:
            at = T + timedelta(hours=max(resolve, answer or 0))
            complaint_resolve(complaint=c, user=enterprise_editor, text="r", now=at)
            if satisfaction:
                complaint_rate(complaint=c, user=resident, satisfaction=satisfaction, now=at)
    f = complaint_figures(Complaint.objects.filter(pk__in=ids), until=T + timedelta(hours=until_h))
    for value in (f.response_rate, f.resolution_rate, f.satisfaction_rate):
        assert value is None or Decimal(0) <= value <= Decimal(1)
    assert f.responded_on_time <= f.response_decided <= f.count
    assert f.resolved <= f.resolution_decided <= f.count


def test_the_enterprise_grade_counts_its_repairs_on_time_by_hand(
    enterprise, community, resident, worker
):
    from repairs.models import RepairRequest

    home = resident.households.get()

    def repair(reported, taken_after=None, arrived_after=None):
        minutes = lambda m: None if m is None else reported + timedelta(minutes=m)  # noqa: E731
        return RepairRequest.objects.create(
            community=community,
            area="home",
            household=home,
            category="plumbing",
            description="x",
            urgency="urgent",
            source="app",
            resident=resident,
            entered_by=resident,
            contact_name="王芳",
            contact_phone="13800138001",
            status="reported" if taken_after is None else "confirmed",
            worker=None if taken_after is None else worker,
            reported_at=reported,
            take_due=reported + timedelta(minutes=10),
            arrive_due=reported + timedelta(minutes=30),
            taken_at=minutes(taken_after),
            arrived_at=minutes(arrived_after),
        )

    repair(T, taken_after=5, arrived_after=25)  # both steps on time: 2 / 2
    repair(T, taken_after=15, arrived_after=40)  # both late: 0 / 2
    repair(T + timedelta(days=8))  # never taken, both clocks ran out: 0 / 2
    # Reported at 23:55 on the 31st: its clocks run out in April, so March does not count
    # it, even when the grade is recomputed after it was (late) taken and reached.
    repair(datetime(2026, 3, 31, 23, 55, tzinfo=LOCAL_TZ), taken_after=25, arrived_after=35)
    repair(T - timedelta(days=5), taken_after=1, arrived_after=2)  # February
    march = grade_enterprise(enterprise, date(2026, 3, 1))
    # 2 steps on time of 6 counted; 4 requests reported in March.
    assert (march.inputs["repairs"], march.inputs["repairs_on_time"]) == (4, "0.3333")
    assert march.score == score_of(march.inputs)
    # The same inputs with the repairs neutral score higher: the repairs count.
    assert march.score < score_of({**march.inputs, "repairs_on_time": None})
    assert grade_enterprise(enterprise, date(2026, 3, 1)).inputs == march.inputs
