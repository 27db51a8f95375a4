"""Booking meets payment: the card is authorised between the hold and the confirmation,
cancellations settle the payment, and payments that finish later (3-D Secure, far dates,
webhooks) confirm or release the held appointment through ``payments.signals`` (the receivers
below, connected when ``bookings.apps`` imports this module).

No database lock is held across a Stripe call: each step here runs after the booking
transaction has committed, and the payments app claims its own rows before calling Stripe.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.appointments.hold import appointment_for_key
from bookings.appointments.lifecycle import appointment_confirm, appointment_release
from bookings.appointments.settlement import order_settle_payment
from bookings.exceptions import BookingError, PaymentRefused
from bookings.models import Appointment
from marketplace.policy import ABANDONED_HOLD_AFTER, AUTHORISE_BEFORE_START, AUTHORISE_NOW_HORIZON
from payments import signals
from payments.cards import default_card
from payments.exceptions import (
    CardDeclined,
    InvalidPaymentOperation,
    NoSavedCard,
    PaymentError,
    PaymentInProgress,
    PaymentServiceUnavailable,
)
from payments.models import PaymentIntentRecord
from payments.services import (
    payment_authorise_or_schedule,
    payment_for_order,
    payment_replan,
    payment_void,
)
from payments.urls import intent_action_url

logger = logging.getLogger("linli.bookings")
Status = Appointment.Status
IntentStatus = PaymentIntentRecord.Status


def _key(user, idempotency_key: str) -> str:
    # Scoped to the resident, so one resident's key can never name another's payment.
    return f"book:{user.pk}:{idempotency_key}"[:255]


def pays_by_card(user) -> bool:
    """Does a booking by ``user`` authorise a card (a saved default card), or pay later?"""
    return default_card(user) is not None


def booking_card(user):
    """The ``SavedCard`` a booking by ``user`` authorises (their default), or None: paid after
    the service. One click reads it once and hands it to ``appointment_pay``."""
    return default_card(user)


@dataclass(frozen=True)
class PaymentPlan:
    """How a booking will be paid, as the pages tell a resident before they book.

    ``card``: the default ``SavedCard`` that one click and basket checkout authorise (None:
    paid after the service). The card is authorised when booking, or ``before_hours`` hours
    before the start for a start more than ``horizon_days`` days ahead, and captured when the
    job is done (``marketplace.policy``; ``payments.services.authorisation_time``).
    """

    card: object = None
    signed_in: bool = False  # False: a visitor, told both ways
    horizon_days: int = AUTHORISE_NOW_HORIZON.days
    before_hours: int = int(AUTHORISE_BEFORE_START.total_seconds() // 3600)


def payment_plan(user) -> PaymentPlan:
    """The payment a booking by ``user`` (anonymous allowed) will take: see ``PaymentPlan``."""
    if user is None or not user.is_authenticated:
        return PaymentPlan()
    return PaymentPlan(card=default_card(user), signed_in=True)


def appointment_pay(
    *, appointment: Appointment, idempotency_key: str = "", card=None
) -> Appointment:
    """Authorise the card for a held appointment, or leave it to be paid after the service.

    ``card``: the resident's default ``SavedCard`` when the caller has just read it
    (``booking_card``); None: it is read here. Returns the appointment still ``held`` (confirm it next; ``payment_action_url`` is set when
    the browser must complete 3-D Secure first). A declined card releases the hold and raises
    ``PaymentRefused``; a double click (``PaymentInProgress``) releases this second hold and
    returns the first booking.
    """
    user = appointment.resident
    card = card or default_card(user)
    if card is None:
        return appointment
    key = _key(user, idempotency_key or f"appointment:{appointment.pk}")
    try:
        intent = _authorise(
            order=appointment.order, user=user, key=key, held=[appointment], card=card
        )
    except (PaymentInProgress, InvalidPaymentOperation) as exc:
        first = appointment_for_key(user=user, booking_key=idempotency_key)
        _release(appointment, gettext_noop("A second click on the same booking"))
        if first is not None and first.pk != appointment.pk:
            return first
        raise BookingError(_("This booking is already being paid. Please wait a moment.")) from exc
    appointment.payment_method = Appointment.PaymentMethod.CARD
    if intent.status == IntentStatus.REQUIRES_ACTION:
        appointment.payment_action_url = intent_action_url(
            intent, next_url=appointment.get_absolute_url()
        )
    return appointment


def order_pay(*, order, user, next_url: str = "") -> str:
    """Authorise the card for every held appointment of a basket order, as one click does.

    With a saved default card the order total (yuan, the sum of the board prices the order
    was checked against) is authorised off-session in one manual-capture PaymentIntent, or
    scheduled when the latest appointment starts more than 5 days ahead (the authorisation
    must last until the last job is captured: ``payments.services.authorisation_time``).
    Without a card the resident pays after the service. Returns the 3-D Secure page to send
    the browser to (then ``next_url``), or "" (confirm the order next). A declined card, a
    card service that cannot be reached or a payment already under way releases every hold
    of the order and raises ``PaymentRefused`` or ``BookingError``: nothing is charged.
    """
    held = list(order.appointments.filter(status=Status.HELD))
    if not held or default_card(user) is None:
        return ""
    key = _key(user, f"order:{order.number}")
    try:
        intent = _authorise(order=order, user=user, key=key, held=held)
    except (PaymentInProgress, InvalidPaymentOperation) as exc:
        for appointment in held:
            _release(appointment, gettext_noop("This order is already being paid"))
        raise BookingError(_("This booking is already being paid. Please wait a moment.")) from exc
    if intent.status == IntentStatus.REQUIRES_ACTION:
        return intent_action_url(intent, next_url=next_url)
    return ""


def _authorise(*, order, user, key: str, held: list[Appointment], card=None):
    """Authorise (or schedule) ``order``'s total on the default card (``card`` when the caller
    read it) for its ``held`` appointments; a refusal releases them and raises
    ``PaymentRefused``."""
    unmarked = [a.pk for a in held if a.payment_method != Appointment.PaymentMethod.CARD]
    if unmarked:  # one click marks its hold already (``appointment_hold(by_card=True)``)
        Appointment.objects.filter(pk__in=unmarked).update(
            payment_method=Appointment.PaymentMethod.CARD
        )
    try:
        return payment_authorise_or_schedule(
            order=order,
            user=user,
            amount=order.total_incl_tax,  # from the order, never from the browser
            idempotency_key=key,
            starts_at=max(a.start for a in held),
            card=card,
        )
    except (CardDeclined, NoSavedCard) as exc:
        why = (
            gettext_noop("The card was declined; nothing was charged")
            if isinstance(exc, CardDeclined)
            else gettext_noop("No saved card; nothing was charged")
        )
        for appointment in held:
            _release(appointment, why)
        raise PaymentRefused(
            _("Your card was not accepted: %(reason)s Nothing was charged.") % {"reason": exc}
        ) from exc
    except PaymentServiceUnavailable as exc:
        for appointment in held:
            _release(
                appointment,
                gettext_noop("The card service could not be reached; nothing was charged"),
            )
        raise PaymentRefused(
            _("The card service is unavailable. Nothing was charged; please try again.")
        ) from exc


def _release(appointment: Appointment, reason: str) -> None:
    appointment.refresh_from_db()
    if appointment.status == Status.HELD:
        appointment_release(appointment=appointment, reason=reason, status=Status.CANCELLED)


def cancellation_settle(*, appointment: Appointment, fee: Decimal) -> None:
    """After a cancellation (with ``fee`` yuan recorded in ``fees_due``) has committed: settle
    the order's card payment once no appointment of it is active (``order_settle_payment``):
    void it when nothing is due, else capture only what is due and release the rest. An order
    with other appointments still to come keeps its authorisation for them."""
    outcome = order_settle_payment(appointment.order)
    if outcome.error:
        # payments_capture_finished (beat) and the reconciliation settle it later; the
        # cancellation itself stands.
        logger.warning(
            "could not settle the payment of cancelled appointment %s (fee %s): %s",
            appointment.pk,
            fee,
            outcome.error,
        )


def reschedule_settle(*, appointment: Appointment) -> None:
    """After a reschedule has committed: plan the card's authorisation for the new time.

    A scheduled authorisation moves with the start; an authorisation that would lapse before
    the moved job can be captured is voided and taken again in time
    (``payments.services.payment_replan``). The order's latest active start counts, as its one
    authorisation is captured when its last appointment is done."""
    intent = payment_for_order(appointment.order)
    if intent is None:
        return
    starts = appointment.order.appointments.filter(status__in=Appointment.ACTIVE).values_list(
        "start", flat=True
    )
    latest = max(starts, default=None)
    if latest is None:
        return
    try:
        payment_replan(intent=intent, starts_at=latest)
    except PaymentError as exc:
        logger.warning(
            "could not plan the payment of moved appointment %s: %s", appointment.pk, exc
        )


# --- payments that finish later ---------------------------------------------------------------


@receiver(signals.payment_authorised, dispatch_uid="bookings-confirm-on-authorised")
def _confirm_held(sender, intent, **kwargs):
    held = Appointment.objects.filter(order_id=intent.order_id, status=Status.HELD)
    # With the line and order whose status the confirmation moves (``sync_order_status``).
    for appointment in held.select_related("line", "order"):
        try:
            appointment_confirm(appointment=appointment, by=None)
        except BookingError:
            logger.info("appointment %s was confirmed meanwhile", appointment.pk)


@receiver(signals.payment_failed, dispatch_uid="bookings-release-on-failed")
@receiver(signals.payment_voided, dispatch_uid="bookings-release-on-voided")
def _release_held(sender, intent, **kwargs):
    for appointment in Appointment.objects.filter(order_id=intent.order_id, status=Status.HELD):
        _release(appointment, gettext_noop("The card payment did not go through"))


# --- holds nobody finished ----------------------------------------------------------------------


def holds_release_abandoned(*, now=None) -> int:
    """Release holds whose payment never finished (a closed 3-D Secure page, a crashed request).

    A hold is kept at most ``ABANDONED_HOLD_AFTER``; then its worker is freed and any payment
    that was started is voided. Returns how many holds were released.
    """
    cutoff = (now or timezone.now()) - ABANDONED_HOLD_AFTER
    released = 0
    for appointment in Appointment.objects.filter(status=Status.HELD, created__lt=cutoff):
        intent = payment_for_order(appointment.order)
        if intent is not None and intent.status == IntentStatus.AUTHORISED:
            continue  # authorised meanwhile: the payment signal confirms it
        _release(appointment, gettext_noop("The booking was not completed in time"))
        if intent is not None and intent.status in PaymentIntentRecord.ACTIVE:
            try:
                payment_void(intent=intent)
            except (PaymentServiceUnavailable, InvalidPaymentOperation):
                logger.warning("could not void the payment of abandoned hold %s", appointment.pk)
        released += 1
    return released
