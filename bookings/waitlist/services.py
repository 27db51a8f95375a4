"""The waiting list: join a full day, offer freed times in order, hold each 15 minutes, pass
an unanswered offer to the next resident, accept.

How a time is held: the offer is an ordinary held appointment (``appointment_hold``), so the
worker is reserved by the same exclusion constraint as any booking and nobody else can take
the time while it is offered; the time is found free by the same search as the service page,
so nobody is offered a time that is no longer free. Accepting pays (as a one-click booking)
and confirms that appointment; an offer that lapses releases it (``appointment_release``),
and the sweep offers the time to the next resident.

When a time frees: the lifecycle (``appointment_ended``: a cancellation, a released hold) asks
for a sweep of that day after its commit; a worker's new hours are found by the beat sweep
(every minute). All times are aware; ``day`` is the local (Asia/Shanghai) date.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from bookings.appointments import payment
from bookings.appointments.hold import resolve_household
from bookings.appointments.lifecycle import appointment_confirm, appointment_release
from bookings.appointments.one_click import appointment_hold
from bookings.appointments.quote import service_quote
from bookings.availability.search import available_slots
from bookings.availability.window import local_day_bounds
from bookings.exceptions import BookingError, SlotUnavailable
from bookings.models import Appointment
from bookings.series.notices import series_tell
from bookings.waitlist.models import WaitlistEntry

logger = logging.getLogger("linli.waitlist")

#: How long a freed time is held for the resident it is offered to (issue 18).
OFFER_HOLD = timedelta(minutes=15)

Status = WaitlistEntry.Status


class OfferExpired(BookingError):
    """The offer is no longer open (expired, passed on, accepted already): 410."""

    status_code = 410


def _free_slots(*, product, community, day: date):
    quote = service_quote(community=community, product=product)
    start, end = local_day_bounds(day)
    return available_slots(
        product=product, stockrecord=quote.stockrecord, community=community, start=start, end=end
    )


def waitlist_join(*, user, product, day: date, household=None, now=None) -> WaitlistEntry:
    """Join ``day``'s waiting list for ``product`` in the resident's community. Returns the
    entry (the open one already there when joining twice). Raises ``BookingError`` (400) for
    a day in the past, a service not on sale there, or a day that still has free times (book
    one instead); ``HouseholdRequired`` without an address."""
    now = now or timezone.now()
    household = resolve_household(user=user, household=household)
    if day < timezone.localdate(now):
        raise BookingError(_("That day is over."))
    if _free_slots(product=product, community=household.community, day=day):
        raise BookingError(_("This day still has free times: book one of them."))
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                resident=user,
                household=household,
                community=household.community,
                product=product,
                day=day,
            )
    except IntegrityError:  # joined already (the unique open entry)
        return WaitlistEntry.objects.get(
            resident=user,
            product=product,
            community=household.community,
            day=day,
            status__in=WaitlistEntry.OPEN,
        )


def _offer_url(entry: WaitlistEntry) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("bookings:waitlist-offer", args=[entry.pk])


def _tell_offer(entry: WaitlistEntry) -> None:
    start = entry.offered.start.astimezone(timezone.get_default_timezone())
    url = _offer_url(entry)
    series_tell(
        entry.resident,
        subject=lambda: (
            _("A time is free for you: %(day)s %(time)s")
            % {"day": start.strftime("%Y-%m-%d"), "time": start.strftime("%H:%M")}
        ),
        body=lambda: (
            _(
                "%(service)s at %(time)s is held for you for 15 minutes. Accept it in one click: "
                "%(url)s"
            )
            % {
                "service": entry.product.get_title(),
                "time": start.strftime("%Y-%m-%d %H:%M"),
                "url": url,
            }
        ),
    )


def _offer(entry: WaitlistEntry, start: datetime, now: datetime) -> bool:
    """Hold ``start`` for ``entry``'s resident and tell them; False when the time was taken."""
    try:
        held = appointment_hold(
            user=entry.resident, product=entry.product, start=start, household=entry.household
        )
    except SlotUnavailable:
        return False
    offered = WaitlistEntry.objects.filter(pk=entry.pk, status=Status.WAITING).update(
        status=Status.OFFERED, offered=held, offer_expires_at=now + OFFER_HOLD
    )
    if not offered:  # left the list meanwhile: the time goes back
        appointment_release(appointment=held, reason=gettext_noop("Waiting list offer withdrawn"))
        return False
    entry.refresh_from_db()
    _tell_offer(entry)
    return True


def _lapse(entry_id: int, now: datetime) -> bool:
    """An unanswered offer expires: the entry lapses and its held time is released."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update()
            .filter(pk=entry_id, status=Status.OFFERED, offer_expires_at__lte=now)
            .first()
        )
        if entry is None:
            return False
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=Status.LAPSED)
        held = Appointment.objects.filter(pk=entry.offered_id, status=Appointment.Status.HELD)
        for appointment in held:
            appointment_release(
                appointment=appointment,
                reason=gettext_noop("Waiting list offer expired unanswered"),
            )
    return True


def waitlist_sweep(*, now: datetime | None = None, product_id=None, day=None) -> int:
    """Beat (every minute) and after a time frees: lapse the offers past their 15 minutes,
    then offer each free time of a day with residents waiting to the first of them (one open
    offer each). ``product_id``/``day`` narrow it to one service's day. Returns how many
    offers were made. Safe to run twice and at once (conditional updates, holds in the
    database)."""
    now = now or timezone.now()
    for entry_id in WaitlistEntry.objects.filter(
        status=Status.OFFERED, offer_expires_at__lte=now
    ).values_list("pk", flat=True):
        _lapse(entry_id, now)
    waiting = WaitlistEntry.objects.filter(
        status=Status.WAITING, day__gte=timezone.localdate(now)
    ).select_related("resident", "household", "community", "product")
    if product_id is not None:
        waiting = waiting.filter(product_id=product_id)
    if day is not None:
        waiting = waiting.filter(day=day)
    days: dict[tuple, list[WaitlistEntry]] = {}
    for entry in waiting.order_by("created", "pk"):
        days.setdefault((entry.product_id, entry.community_id, entry.day), []).append(entry)
    made = 0
    for entries in days.values():
        first = entries[0]
        try:
            slots = _free_slots(product=first.product, community=first.community, day=first.day)
        except BookingError:
            continue
        slots = [s for s in slots if s.start > now]
        for entry in entries:
            while slots:
                slot = slots.pop(0)
                if _offer(entry, slot.start, now):
                    made += 1
                    break
            if not slots:
                break
    return made


def waitlist_accept(*, user, entry_id: int, now: datetime | None = None) -> Appointment:
    """Accept the time offered to ``user``: paid as a one-click booking (the saved card
    authorised, or paid after the service) and confirmed. Returns the appointment. Raises
    ``OfferExpired`` (410: the 15 minutes are over, the offer passed on, or it was answered)
    and ``PaymentRefused`` (402: the hold is released, the next resident's turn comes)."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update()
            .filter(pk=entry_id, resident=user, status=Status.OFFERED, offer_expires_at__gt=now)
            .first()
        )
        if entry is None or entry.offered_id is None:
            raise OfferExpired(_("This offer has expired; the time went to the next resident."))
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=Status.ACCEPTED)
    try:
        appointment = payment.appointment_pay(
            appointment=entry.offered, idempotency_key=f"waitlist-{entry.pk}"
        )
    except BookingError:
        # Refused (the hold is released by ``appointment_pay``): the place is lost, the
        # time goes to the next resident by the sweep the release asks for.
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=Status.LAPSED)
        raise
    appointment.refresh_from_db()
    if appointment.status == Appointment.Status.HELD and not getattr(
        appointment, "payment_action_url", ""
    ):
        appointment = appointment_confirm(appointment=appointment, by=user)
    return appointment
