"""Rating a completed appointment: once, 1–5, own only; the worker's damped average."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Worker
from feedback.exceptions import Conflict, FeedbackError, NotAllowed
from feedback.models import Rating
from feedback.ratings.services import (
    damped_average,
    rating_change,
    rating_hide,
    rating_submit,
)
from tests.support import local

pytestmark = pytest.mark.django_db


def test_damped_average_keeps_one_early_rating_from_dominating():
    # (5 × 4.5 + 1) / 6
    assert damped_average(1, 1) == Decimal("3.92")
    assert damped_average(0, 0) == Decimal("4.50")
    assert damped_average(50, 10) == Decimal("4.83")


def test_a_resident_rates_a_completed_visit_and_the_worker_rating_moves(completed, resident):
    rating = rating_submit(
        appointment=completed, user=resident, stars=5, tags=["punctual", "tidy"], text="很好"
    )
    assert rating.provider_id == completed.stockrecord.partner_id
    assert Worker.objects.get(pk=completed.worker_id).rating == Decimal("4.58")


@pytest.mark.parametrize(("stars", "chosen"), [(1, "second"), (5, "first")])
def test_dispatch_tie_break_uses_the_damped_rating(
    completed, resident, second_worker, book, stars, chosen
):
    """Equally loaded, equally free: the better damped rating gets the next booking. One
    1-star puts the first worker at 3.92 below the unrated second (4.50); one 5-star at 4.58
    above."""
    rating_submit(appointment=completed, user=resident, stars=stars)
    second_worker.refresh_from_db()
    assert second_worker.rating == Decimal("4.50")
    nxt = book(local(3, 10))
    expected = second_worker if chosen == "second" else completed.worker
    assert nxt.worker_id == expected.pk


@pytest.mark.parametrize("stars", [0, 6, "x", None])
def test_stars_outside_1_to_5_are_refused(completed, resident, stars):
    with pytest.raises(FeedbackError):
        rating_submit(appointment=completed, user=resident, stars=stars)
    assert not Rating.objects.exists()


def test_a_second_rating_is_a_conflict(completed, resident):
    rating_submit(appointment=completed, user=resident, stars=4)
    with pytest.raises(Conflict):
        rating_submit(appointment=completed, user=resident, stars=1)
    assert Rating.objects.get().stars == 4


def test_someone_elses_or_an_unfinished_appointment_cannot_be_rated(
    booked, completed, other_resident, resident
):
    with pytest.raises(NotAllowed):
        rating_submit(appointment=completed, user=other_resident, stars=5)
    assert not Rating.objects.exists()


def test_an_unfinished_appointment_cannot_be_rated(booked, resident):
    with pytest.raises(NotAllowed):
        rating_submit(appointment=booked, user=resident, stars=5)


def test_unknown_tags_and_long_text_are_refused(completed, resident):
    with pytest.raises(FeedbackError):
        rating_submit(appointment=completed, user=resident, stars=5, tags=["bribed"])
    with pytest.raises(FeedbackError):
        rating_submit(appointment=completed, user=resident, stars=5, text="长" * 501)
    assert not Rating.objects.exists()


def test_a_rating_can_be_changed_for_7_days_only(completed, resident):
    rating = rating_submit(appointment=completed, user=resident, stars=2)
    rating_change(rating=rating, user=resident, stars=4)
    assert Worker.objects.get(pk=completed.worker_id).rating == Decimal("4.42")
    with pytest.raises(NotAllowed):
        rating_change(
            rating=rating, user=resident, stars=5, now=rating.created + timedelta(days=7, seconds=1)
        )


def test_staff_hide_an_abusive_review_with_a_reason_and_it_is_kept(
    completed, resident, enterprise_editor, other_enterprise_staff
):
    rating = rating_submit(appointment=completed, user=resident, stars=1, text="脏话")
    with pytest.raises(NotAllowed):
        rating_hide(rating=rating, user=other_enterprise_staff, reason="abuse")
    with pytest.raises(FeedbackError):
        rating_hide(rating=rating, user=enterprise_editor, reason="")
    rating_hide(rating=rating, user=enterprise_editor, reason="辱骂")
    rating.refresh_from_db()
    assert rating.is_hidden and rating.hidden_reason == "辱骂"
    assert Rating.objects.count() == 1
