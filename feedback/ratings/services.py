"""Rating a completed appointment, hiding an abusive review, and the worker's damped average.

The worker's rating (``Worker.rating``, read by dispatch's "best rating" tie-break in
``bookings.dispatch.assignment`` and ``bookings.appointments.hold``) is the damped average

    R = (C·m + Σ stars) / (C + n)

over the worker's n ratings, with prior mean m = ``RATING_PRIOR_MEAN`` (4.5) and weight
C = ``RATING_PRIOR_WEIGHT`` (5): one early 1-star rating gives (22.5 + 1) / 6 = 3.92, not 1.
Hidden reviews still count (a hidden text is abusive; the stars were given).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Appointment, Worker
from feedback.exceptions import Conflict, FeedbackError, NotAllowed
from feedback.models import Rating
from feedback.policy import (
    RATING_EDITABLE_FOR,
    RATING_PRIOR_MEAN,
    RATING_PRIOR_WEIGHT,
    REVIEW_TEXT_MAX,
)
from feedback.ratings.cache import reviews_changed


def damped_average(total: int, count: int) -> Decimal:
    """(C·m + total) / (C + count), to 2 places: ``total`` the sum of ``count`` star counts."""
    value = (RATING_PRIOR_WEIGHT * RATING_PRIOR_MEAN + Decimal(total)) / (
        RATING_PRIOR_WEIGHT + count
    )
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _checked(stars, tags, text) -> tuple[int, list[str], str]:
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise FeedbackError(_("Choose 1 to 5 stars.")) from None
    if not 1 <= stars <= 5:
        raise FeedbackError(_("Choose 1 to 5 stars."))
    tags = list(dict.fromkeys(tags or []))
    unknown = [t for t in tags if t not in Rating.Tag.values]
    if unknown:
        raise FeedbackError(_("Unknown tag: %(tag)s") % {"tag": unknown[0]})
    text = (text or "").strip()
    if len(text) > REVIEW_TEXT_MAX:
        raise FeedbackError(
            _("The review is longer than %(n)d characters.") % {"n": REVIEW_TEXT_MAX}
        )
    return stars, tags, text


@transaction.atomic
def rating_submit(*, appointment: Appointment, user, stars, tags=(), text="") -> Rating:
    """The resident ``user`` rates their completed ``appointment`` (1–5 ``stars``, ``tags``
    from ``Rating.Tag``, ``text`` up to ``REVIEW_TEXT_MAX`` characters); the worker's rating
    is recomputed in the same transaction.

    Raises ``NotAllowed`` (someone else's, or not completed), ``FeedbackError`` (bad stars,
    tag or text), ``Conflict`` (already rated: the database's one-per-appointment key decides
    between two racing submissions). Nothing is written when it raises."""
    stars, tags, text = _checked(stars, tags, text)
    if appointment.resident_id != user.pk:
        raise NotAllowed(_("You can only rate your own appointments."))
    if appointment.status != Appointment.Status.COMPLETED:
        raise NotAllowed(_("You can rate an appointment once it is completed."))
    if Rating.objects.filter(appointment=appointment).exists():
        raise Conflict(_("You have already rated this appointment; you can change your rating."))
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                appointment=appointment,
                resident=user,
                worker_id=appointment.worker_id,
                provider_id=appointment.stockrecord.partner_id,
                product_id=appointment.product_id,
                community_id=appointment.community_id,
                stars=stars,
                tags=tags,
                text=text,
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this appointment.")) from None
    worker_rating_recompute(worker_id=rating.worker_id)
    return rating


@transaction.atomic
def rating_change(*, rating: Rating, user, stars, tags=(), text="", now=None) -> Rating:
    """The resident changes their rating within ``RATING_EDITABLE_FOR`` of giving it.

    Raises ``NotAllowed`` (not theirs, or too late) and ``FeedbackError`` (bad input)."""
    stars, tags, text = _checked(stars, tags, text)
    now = now or timezone.now()
    if rating.resident_id != user.pk:
        raise NotAllowed(_("You can only change your own rating."))
    if now > rating.created + RATING_EDITABLE_FOR:
        raise NotAllowed(_("A rating can be changed for 7 days after it was given."))
    Rating.objects.filter(pk=rating.pk).update(stars=stars, tags=tags, text=text, updated=now)
    reviews_changed()  # an update() sends no signal
    rating.refresh_from_db()
    worker_rating_recompute(worker_id=rating.worker_id)
    return rating


def rating_is_editable(rating: Rating, now=None) -> bool:
    """True while the resident may still change ``rating``."""
    return (now or timezone.now()) <= rating.created + RATING_EDITABLE_FOR


@transaction.atomic
def rating_hide(*, rating: Rating, user, reason: str) -> Rating:
    """Enterprise staff hide an abusive review from the public, with ``reason`` (required,
    ≤ 300 characters). The rating is kept (and still counts); raises ``NotAllowed`` for staff
    of another enterprise and ``FeedbackError`` without a reason."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise FeedbackError(_("Say why the review is hidden (at most 300 characters)."))
    if not user.enterprises.filter(pk=rating.community.enterprise_id).exists():
        raise NotAllowed(_("Only the community's enterprise can hide its reviews."))
    Rating.objects.filter(pk=rating.pk).update(
        hidden_reason=reason, hidden_by=user, hidden_at=timezone.now()
    )
    reviews_changed()  # an update() sends no signal
    rating.refresh_from_db()
    return rating


def worker_rating_recompute(*, worker_id: int) -> Decimal:
    """Write the worker's damped average (``damped_average``) to ``Worker.rating``; returns it."""
    agg = Rating.objects.filter(worker_id=worker_id).aggregate(total=Sum("stars"), n=Count("pk"))
    value = damped_average(agg["total"] or 0, agg["n"] or 0)
    Worker.objects.filter(pk=worker_id).update(rating=value)
    return value


def provider_rating_summary(provider_id: int, *, until=None) -> dict:
    """``{"average": Decimal | None (plain mean, 2 places), "damped": Decimal, "count": int}``
    of a provider's ratings (given before ``until``, when given)."""
    qs = Rating.objects.filter(provider_id=provider_id)
    if until is not None:
        qs = qs.filter(created__lt=until)
    agg = qs.aggregate(avg=Avg("stars"), total=Sum("stars"), n=Count("pk"))
    average = (
        Decimal(agg["avg"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if agg["n"] else None
    )
    return {
        "average": average,
        "damped": damped_average(agg["total"] or 0, agg["n"] or 0),
        "count": agg["n"] or 0,
    }


def recent_reviews(provider_id: int, limit: int):
    """The provider's latest visible reviews (not hidden), newest first."""
    return (
        Rating.objects.filter(provider_id=provider_id, hidden_at__isnull=True)
        .select_related("resident", "community")
        .order_by("-created", "-pk")[:limit]
    )
