"""Series services: create, extend to the booking horizon (beat), skip a visit, end.

Each visit is booked by ``appointment_book`` (hold, pay, confirm: the one lock order, its own
price from the published board, reminders and payment: a card is authorised, or scheduled 48 h
before a far-off visit) with the one-time key ``series:<id>:<UTC start>``, and recorded as a
``SeriesOccurrence`` unique per (series, start). Both make extending idempotent: a second run
(or two at once) finds the row, or books nothing and gets the first appointment back.
No lock is held across a booking (it may call Stripe).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from bookings.appointments.changes import appointment_cancel
from bookings.appointments.one_click import appointment_book
from bookings.availability.window import booking_window, local_day_bounds
from bookings.exceptions import BookingError, CancellationRefused, SlotUnavailable
from bookings.models import Appointment, Series, SeriesOccurrence
from bookings.series.notices import series_tell
from bookings.series.planning import series_plan
from bookings.series.rules import SeriesRule, SeriesRuleError
from marketplace.policy import LOCAL_TZ

Occ = SeriesOccurrence.Status

logger = logging.getLogger("linli.series")


def series_rule(series: Series) -> SeriesRule:
    """The stored rule of ``series``."""
    return SeriesRule(rrule=series.rule, dtstart=series.dtstart)


def series_create(
    *, user, product, rule: SeriesRule, summary: str = "", household=None, now=None
) -> Series:
    """Create a series of ``product`` for ``user`` and book its visits up to the horizon.

    The preferred worker is the one free for the most coming visits (``series_plan``, the plan
    the resident confirmed). Raises what ``series_plan`` raises before anything is written.
    Returns the series; its occurrences say what was booked (a visit nobody could take is
    ``unfilled``, with other free times in its note)."""
    plan = series_plan(user=user, product=product, rule=rule, household=household, now=now)
    series = Series.objects.create(
        resident=user,
        household=plan.household,
        product=product,
        preferred_worker=plan.preferred,
        rule=rule.rrule,
        dtstart=rule.dtstart,
        summary=summary[:200],
        price_told=plan.price,
    )
    series_extend(series=series, now=now, tell=False)
    return series


def _key(series: Series, start: datetime) -> str:
    return f"series:{series.pk}:{start.astimezone(UTC):%Y%m%dT%H%M}"


def series_extend(*, series: Series, now=None, tell: bool = True) -> list[SeriesOccurrence]:
    """Book every start of ``series``' rule up to the booking horizon not yet recorded; returns
    the occurrences recorded by this call (none on a second run).

    A start already inside the minimum notice (beat was late) is passed over. With ``tell``, the
    resident is told of visits that got another worker or none."""
    now = now or timezone.now()
    if series.status != Series.Status.ACTIVE:
        return []
    earliest, latest = booking_window(now)
    end = local_day_bounds(series.ends_on)[0] if series.ends_on else None
    recorded = set(series.occurrences.values_list("start", flat=True))
    made = []
    for start in series_rule(series).starts(before=latest):
        if end is not None and start >= end:
            break
        if start in recorded or start < earliest:
            continue
        occurrence, created = _materialise(series, start)
        if created:
            made.append(occurrence)
    Series.objects.filter(pk=series.pk).update(materialised_until=latest)
    if tell:
        _tell_exceptions(series, made)
    return made


def _materialise(series: Series, start: datetime) -> tuple[SeriesOccurrence, bool]:
    """Book one visit (or record why not) and its occurrence row."""
    substitute, note, appointment = False, "", None
    try:
        appointment = appointment_book(
            user=series.resident,
            product=series.product,
            start=start,
            household=series.household,
            idempotency_key=_key(series, start),
            prefer_worker_id=series.preferred_worker_id,
            series=series,
        )
    except SlotUnavailable as exc:
        status = Occ.UNFILLED
        note = ", ".join(f"{s.local_start:%m-%d %H:%M}" for s in exc.next_slots[:4])
    except BookingError as exc:
        # The note holds only other free times (language-neutral, shown as "Other free times"):
        # why the booking failed goes to the log, never stored in one reader's language.
        logger.info("series %s: no visit at %s: %s", series.pk, start, exc)
        status = Occ.UNFILLED
    else:
        if appointment.status in Appointment.ACTIVE:
            status = Occ.BOOKED
            substitute = appointment.worker_id != series.preferred_worker_id
        else:
            logger.info("series %s: visit at %s is %s", series.pk, start, appointment.status)
            status = Occ.UNFILLED
    try:
        return SeriesOccurrence.objects.get_or_create(
            series=series,
            start=start,
            defaults={
                "status": status,
                "appointment": appointment,
                "substitute": substitute,
                "note": note,
            },
        )
    except IntegrityError:
        # Another run recorded it meanwhile (and booked through the same key: one appointment).
        return SeriesOccurrence.objects.get(series=series, start=start), False


def _tell_exceptions(series: Series, made: list[SeriesOccurrence]) -> None:
    """Tell the resident of newly booked visits with another worker, or with none."""
    odd = [o for o in made if o.substitute or o.status == Occ.UNFILLED]
    if not odd:
        return

    def body():
        lines = [
            _("New visits of your series “%(summary)s” were booked.")
            % {"summary": series.display_summary}
        ]
        for o in odd:
            when = f"{o.start.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"
            if o.status == Occ.UNFILLED:
                lines.append(
                    _("%(when)s: no worker is free. Other free times: %(times)s")
                    % {"when": when, "times": o.note or "-"}
                )
            else:
                lines.append(
                    _("%(when)s: %(name)s comes instead of your usual worker.")
                    % {"when": when, "name": o.appointment.worker.display_name}
                )
        return "\n".join(lines)

    series_tell(
        series.resident, subject=gettext_lazy("Your regular visits: please check"), body=body
    )


def series_extend_due(*, now=None) -> int:
    """Beat: extend every active series whose horizon has moved; returns the visits recorded."""
    now = now or timezone.now()
    _, latest = booking_window(now)
    count = 0
    due = Series.objects.filter(status=Series.Status.ACTIVE).exclude(materialised_until__gte=latest)
    for series in due.select_related("resident", "household", "product").iterator():
        count += len(series_extend(series=series, now=now))
    return count


def _own_occurrence(series: Series, occurrence_id) -> SeriesOccurrence:
    try:
        return series.occurrences.select_related("appointment").get(pk=occurrence_id)
    except (SeriesOccurrence.DoesNotExist, ValueError, TypeError):
        raise BookingError(_("That visit is not part of this series.")) from None


def occurrence_skip(*, series: Series, occurrence_id, by) -> Decimal:
    """Skip one visit: its appointment is cancelled under the usual policy (free 24 h or more
    before; the late-cancellation fee within 24 h) and the visit is marked skipped; returns
    the fee (yuan). Raises ``BookingError`` (not this series' visit, already skipped) or
    ``CancellationRefused`` (started); then nothing changes."""
    occurrence = _own_occurrence(series, occurrence_id)
    if occurrence.status not in (Occ.BOOKED, Occ.UNFILLED):
        raise BookingError(
            _("This visit is already %(status)s.") % {"status": occurrence.get_status_display()}
        )
    fee = Decimal("0.00")
    appointment = occurrence.appointment
    if appointment is not None and appointment.is_active:
        fee = appointment_cancel(
            appointment=appointment, by=by, reason=gettext_noop("One visit of a series skipped")
        )
    SeriesOccurrence.objects.filter(pk=occurrence.pk).update(status=Occ.SKIPPED)
    return fee


def series_end(*, series: Series, from_date: date, by, now=None) -> Decimal:
    """End ``series`` from the local date ``from_date`` (today or later): no visit from that
    day on. Each booked one is cancelled under the usual policy, or free of any fee once the
    resident was told of a price change (``series.prices``); returns the fees (yuan).
    Raises ``SeriesRuleError`` for a date in the past or a series already ended."""
    now = now or timezone.now()
    if from_date < timezone.localdate(now, LOCAL_TZ):
        raise SeriesRuleError(_("A series can be ended from today or a later date."))
    if series.status == Series.Status.ENDED:
        raise SeriesRuleError(_("This series has already ended."))
    with transaction.atomic():
        moved = Series.objects.filter(pk=series.pk, status=Series.Status.ACTIVE).update(
            ends_on=from_date,
            status=(
                Series.Status.ENDED
                if from_date <= timezone.localdate(now, LOCAL_TZ)
                else Series.Status.ACTIVE
            ),
        )
        if not moved:
            raise SeriesRuleError(_("This series has already ended."))
    fees = Decimal("0.00")
    cut = local_day_bounds(from_date)[0]
    for occurrence in series.occurrences.filter(
        start__gte=cut, status__in=(Occ.BOOKED, Occ.UNFILLED)
    ).select_related("appointment"):
        appointment = occurrence.appointment
        if appointment is not None and appointment.is_active:
            try:
                fees += appointment_cancel(
                    appointment=appointment,
                    by=by,
                    reason=gettext_noop("The series was ended"),
                    # Told of a new price: the resident may end the series without fee.
                    waive_fee=series.price_changed_at is not None,
                )
            except CancellationRefused:
                continue  # started meanwhile: it goes ahead
        SeriesOccurrence.objects.filter(pk=occurrence.pk).update(status=Occ.ENDED)
    series.refresh_from_db()
    return fees
