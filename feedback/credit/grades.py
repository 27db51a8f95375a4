"""Monthly credit stars (信用星级): the formula, its weights and the monthly history.

One calendar month (local time) at a time. Each input is scored 0–1:

* completion_rate, on_time_rate, response_rate, resolution_rate, satisfaction_rate: as is;
* rating: (R − 1) / 4, R the damped average of the month's ratings (``ratings.services``);
* complaints_per_100: max(0, 1 − complaints per 100 jobs / ``COMPLAINTS_PER_100_WORST``);
* boards (enterprises only): the share of its communities whose board was published (which
  requires it to be complete) within ``BOARD_CURRENT_WITHIN`` before the month's end;
* repairs_on_time (enterprises only): of the repair steps of its communities' requests
  reported in the month whose clock was met or ran out by the month's end (taken, on site:
  ``repairs.board.on_time_figures``), the share on time.

An input with nothing to count scores ``CREDIT_NEUTRAL``. score = Σ weight × input
(``CREDIT_WEIGHTS``; for an enterprise the boards input takes ``CREDIT_BOARDS_WEIGHT``, the
repairs input ``CREDIT_REPAIRS_WEIGHT``, and the others shrink in proportion: × 0.75), and the
stars follow ``CREDIT_STAR_THRESHOLDS``. Everything is read as of the month's end, so a past
month recomputed gives the same grade. (A grade kept before the repairs input existed has no
``repairs_on_time`` key and is scored without it.)
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from bookings.models import Appointment
from cms.models.publications import BoardPublication
from feedback.credit.figures import complaint_figures, job_figures
from feedback.models import Complaint, CreditGrade, Rating
from feedback.policy import (
    BOARD_CURRENT_WITHIN,
    COMPLAINTS_PER_100_WORST,
    CREDIT_BOARDS_WEIGHT,
    CREDIT_NEUTRAL,
    CREDIT_REPAIRS_WEIGHT,
    CREDIT_STAR_THRESHOLDS,
    CREDIT_WEIGHTS,
)
from feedback.ratings.services import damped_average
from marketplace.models import Enterprise
from marketplace.partner.models import Partner
from marketplace.policy import LOCAL_TZ
from repairs.board import on_time_figures

FOUR = Decimal("0.0001")

#: The enterprise-only inputs and their weights (the others shrink to make room).
ENTERPRISE_WEIGHTS = {"boards": CREDIT_BOARDS_WEIGHT, "repairs_on_time": CREDIT_REPAIRS_WEIGHT}


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the local calendar month of ``month``, aware."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        datetime.combine(first, time(0), tzinfo=LOCAL_TZ),
        datetime.combine(following, time(0), tzinfo=LOCAL_TZ),
    )


def previous_month(today: date | None = None) -> date:
    """The first day of the month before ``today``'s (local)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def stars_for(score: Decimal) -> int:
    """1–5 stars for a score 0–1 (``CREDIT_STAR_THRESHOLDS``)."""
    for stars, threshold in CREDIT_STAR_THRESHOLDS:
        if score >= threshold:
            return stars
    return 1


def _scored(inputs: dict) -> dict[str, Decimal]:
    """Each input's 0–1 score (``CREDIT_NEUTRAL`` where it is None)."""

    def plain(v):
        return CREDIT_NEUTRAL if v is None else Decimal(v)

    rating = inputs["rating"]
    per100 = inputs["complaints_per_100"]
    scores = {
        "completion_rate": plain(inputs["completion_rate"]),
        "on_time_rate": plain(inputs["on_time_rate"]),
        "rating": CREDIT_NEUTRAL if rating is None else (Decimal(rating) - 1) / 4,
        "complaints_per_100": CREDIT_NEUTRAL
        if per100 is None
        else max(Decimal(0), 1 - Decimal(per100) / COMPLAINTS_PER_100_WORST),
        "response_rate": plain(inputs["response_rate"]),
        "resolution_rate": plain(inputs["resolution_rate"]),
        "satisfaction_rate": plain(inputs["satisfaction_rate"]),
    }
    for key in ENTERPRISE_WEIGHTS:
        if key in inputs:
            scores[key] = plain(inputs[key])
    return scores


def score_of(inputs: dict) -> Decimal:
    """The weighted score 0–1 (4 places) of ``inputs`` (the dict ``grade_inputs`` returns)."""
    scores = _scored(inputs)
    extra = {k: w for k, w in ENTERPRISE_WEIGHTS.items() if k in scores}
    shrink = 1 - sum(extra.values(), Decimal(0))
    weights = {k: w * shrink for k, w in CREDIT_WEIGHTS.items()}
    weights.update(extra)
    total = sum(weights[k] * scores[k] for k in weights)
    return min(Decimal(1), max(Decimal(0), total)).quantize(FOUR, rounding=ROUND_HALF_UP)


def _str(v):
    return None if v is None else str(v)


def repairs_on_time(communities, *, since, until) -> tuple[int, Decimal | None]:
    """(requests reported in [since, until), on-time share of their counted steps, 4 places,
    or None when no step counted) for a queryset of ``communities``: both clocks (taken, on
    site) pooled, as ``repairs.board.on_time_figures`` counts them as of ``until``."""
    f = on_time_figures(communities, since=since, now=until)
    counted = f.take_counted + f.arrive_counted
    if not counted:
        return f.reported, None
    share = Decimal(f.taken_on_time + f.arrived_on_time) / counted
    return f.reported, share.quantize(FOUR, rounding=ROUND_HALF_UP)


def grade_inputs(*, appointments, ratings, complaints, since, until, communities=None) -> dict:
    """The published inputs of one subject for [since, until): rates as "0.9600" strings or
    None, ``rating`` the damped average, ``complaints_per_100`` (2 places) or None, and, when
    ``communities`` is given (an enterprise), ``boards`` (share of them with a current board),
    ``repairs`` (requests reported) and ``repairs_on_time`` (``repairs_on_time``)."""
    jobs = job_figures(appointments, since=since, until=until)
    month_complaints = complaints.filter(filed_at__gte=since, filed_at__lt=until)
    figures = complaint_figures(month_complaints, until=until)
    agg = ratings.filter(created__gte=since, created__lt=until).aggregate(
        total=Sum("stars"), n=Count("pk")
    )
    per100 = (
        (Decimal(figures.count) * 100 / jobs.completed).quantize(Decimal("0.01"))
        if jobs.completed
        else None
    )
    inputs = {
        "jobs": jobs.completed,
        "complaints": figures.count,
        "ratings": agg["n"] or 0,
        "completion_rate": _str(jobs.completion_rate),
        "on_time_rate": _str(jobs.on_time_rate),
        "rating": _str(damped_average(agg["total"] or 0, agg["n"])) if agg["n"] else None,
        "complaints_per_100": _str(per100),
        "response_rate": _str(figures.response_rate),
        "resolution_rate": _str(figures.resolution_rate),
        "satisfaction_rate": _str(figures.satisfaction_rate),
    }
    if communities is not None:
        ids = list(communities.values_list("pk", flat=True))
        current = (
            BoardPublication.objects.filter(
                community_id__in=ids,
                published_at__lt=until,
                published_at__gte=until - BOARD_CURRENT_WITHIN,
            )
            .values("community_id")
            .distinct()
            .count()
        )
        inputs["boards"] = _str((Decimal(current) / len(ids)).quantize(FOUR)) if ids else None
        inputs["repairs"], share = repairs_on_time(communities, since=since, until=until)
        inputs["repairs_on_time"] = _str(share)
    return inputs


@transaction.atomic
def grade_provider(provider: Partner, month: date) -> CreditGrade:
    """Compute (or recompute) ``provider``'s grade for ``month``; the row is kept per month."""
    since, until = month_bounds(month)
    inputs = grade_inputs(
        appointments=Appointment.objects.filter(stockrecord__partner=provider),
        ratings=Rating.objects.filter(provider=provider),
        complaints=Complaint.objects.filter(provider=provider),
        since=since,
        until=until,
    )
    return _keep(CreditGrade.Subject.PROVIDER, {"provider": provider}, month, inputs)


@transaction.atomic
def grade_enterprise(enterprise: Enterprise, month: date) -> CreditGrade:
    """Compute (or recompute) ``enterprise``'s grade for ``month``: everything of its
    communities (every provider's jobs and complaints there, 12345 tickets included)."""
    since, until = month_bounds(month)
    communities = enterprise.communities.all()
    inputs = grade_inputs(
        appointments=Appointment.objects.filter(community__enterprise=enterprise),
        ratings=Rating.objects.filter(community__enterprise=enterprise),
        complaints=Complaint.objects.filter(enterprise=enterprise),
        since=since,
        until=until,
        communities=communities,
    )
    return _keep(CreditGrade.Subject.ENTERPRISE, {"enterprise": enterprise}, month, inputs)


def _keep(subject, who: dict, month: date, inputs: dict) -> CreditGrade:
    score = score_of(inputs)
    grade, _created = CreditGrade.objects.update_or_create(
        subject=subject,
        month=month.replace(day=1),
        **who,
        defaults={"stars": stars_for(score), "score": score, "inputs": inputs},
    )
    return grade


def grades_compute_month(month: date) -> list[CreditGrade]:
    """Grades of every provider and every enterprise for ``month`` (beat, monthly)."""
    grades = [grade_provider(p, month) for p in Partner.objects.all()]
    grades += [grade_enterprise(e, month) for e in Enterprise.objects.all()]
    return grades


def latest_grade(*, provider=None, enterprise=None) -> CreditGrade | None:
    """The newest grade of a provider or an enterprise, or None."""
    qs = (
        CreditGrade.objects.filter(provider=provider)
        if provider
        else CreditGrade.objects.filter(enterprise=enterprise)
    )
    return qs.order_by("-month").first()
