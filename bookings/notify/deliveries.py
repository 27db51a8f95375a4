"""A sent notice's email and SMS: rows sent once, retried with backoff, quiet at night.

``deliveries_create`` writes one ``NoticeDelivery`` per chosen channel (email, SMS) in the
transaction that marks the notice sent, those due now already claimed by that sender, who
sends them after the commit (``delivery_send_claimed``); ``delivery_send`` claims one (pending → sending, a
conditional UPDATE, like the notices), sends it with no lock held and records the outcome;
``deliveries_send_due`` (beat, with the reminders) sends the due ones nobody has.

A refusal (any exception of the email backend or the SMS gateway) is retried after 30 s, 2 min,
8 min (``DELIVERY_RETRY_FIRST``, ×4), and after ``DELIVERY_ATTEMPTS`` tries recorded ``failed``
with the error: never marked sent.

Quiet hours: no SMS from 22:00 to 08:00 local time (``SMS_QUIET_HOURS``); it is due at 08:00
instead, unless it is about an appointment that starts before then or on the same day (a
same-day change), or is one of the kinds that are never urgent (``NOT_URGENT``: those always
wait). A notice about something else (a complaint, a repair) waits too, unless its sender
marked it urgent (``context["urgent"]``: an urgent repair's offer to a worker). A deferred SMS about an offer or a reminder that is no longer true is cancelled.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from bookings.models import Notice, NoticeDelivery
from bookings.notify.channels import send_email, send_template_sms
from bookings.notify.claims import MAY_GO_STALE, reminder_lease, reminder_still_wanted
from marketplace.policy import (
    DELIVERY_ATTEMPTS,
    DELIVERY_RETRY_FIRST,
    LOCAL_TZ,
    SMS_QUIET_HOURS,
)

log = logging.getLogger("linli.notifications")
Kind = Notice.Kind
Status = NoticeDelivery.Status
Channel = NoticeDelivery.Channel

#: Kinds whose SMS waits for the morning even about a job today.
NOT_URGENT = (Kind.RESIDENT_24H, Kind.RATING_REQUEST, Kind.COMPLETED, Kind.REFUNDED)


def quiet_hours_end(now: datetime) -> datetime | None:
    """The end (aware, local 08:00) of the quiet hours ``now`` falls in; None outside them.

    The hours are ``LINLI_SMS_QUIET_HOURS`` when set (empty: no quiet hours), else
    ``SMS_QUIET_HOURS``; they span midnight (from 22 until 8)."""
    hours = getattr(settings, "LINLI_SMS_QUIET_HOURS", SMS_QUIET_HOURS)
    if not hours:
        return None
    start, until = hours
    local = timezone.localtime(now, LOCAL_TZ)
    if until <= local.hour < start:
        return None
    day = local.date() if local.hour < until else local.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, until, tzinfo=LOCAL_TZ)


def sms_due_at(notice: Notice, now: datetime) -> datetime:
    """When ``notice``'s SMS may go: ``now``, or the end of the quiet hours (see the module)."""
    end = quiet_hours_end(now)
    if end is None or (notice.context or {}).get("urgent"):
        return now
    appointment = notice.appointment
    if appointment is not None and notice.kind not in NOT_URGENT:
        same_day = (
            timezone.localtime(appointment.start, LOCAL_TZ).date()
            == timezone.localtime(now, LOCAL_TZ).date()
        )
        if same_day or appointment.start <= end:
            return now
    return end


def deliveries_create(*, notice: Notice, user, message, channels, now) -> list[NoticeDelivery]:
    """One delivery per chosen channel among email and SMS (inside the caller's transaction,
    which marks ``notice`` sent). Returns them.

    A delivery due ``now`` is written already claimed by the caller (``sending``, first
    attempt), who sends it right after the commit (``delivery_send_claimed``): no claiming
    UPDATE and no re-read per delivery. If the caller dies first, the claim lapses after
    ``reminder_lease`` and ``deliveries_send_due`` (beat) sends it, as after any claim. One
    due later (an SMS over the quiet hours) is written ``pending``."""
    rows = []
    if "email" in channels and user.email:
        rows.append(
            NoticeDelivery(
                notice=notice,
                channel=Channel.EMAIL,
                address=user.email,
                subject=message.subject[:255],
                body=message.body,
                due_at=now,
            )
        )
    if "sms" in channels and user.phone:
        rows.append(
            NoticeDelivery(
                notice=notice,
                channel=Channel.SMS,
                address=user.phone,
                body=message.sms,
                template=message.sms_template,
                params=message.sms_params,
                due_at=sms_due_at(notice, now),
            )
        )
    for row in rows:
        if row.due_at <= now:
            row.status, row.claimed_at, row.attempts = Status.SENDING, now, 1
    return NoticeDelivery.objects.bulk_create(rows)


def _claimable(now):
    return Q(status=Status.PENDING) | Q(
        status=Status.SENDING, claimed_at__lt=now - reminder_lease()
    )


def _still_true(delivery: NoticeDelivery, now) -> bool:
    notice = delivery.notice
    if notice.kind not in MAY_GO_STALE or notice.appointment_id is None:
        return True
    return reminder_still_wanted(notice, now)


def delivery_send(*, delivery_id: int, now=None) -> bool:
    """Send one delivery if it is due and nobody else is; True if this call sent it.

    On failure: pending again with the next backoff, or ``failed`` after the last attempt."""
    now = now or timezone.now()
    claimed = NoticeDelivery.objects.filter(
        _claimable(now), pk=delivery_id, due_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    delivery = NoticeDelivery.objects.select_related("notice").get(pk=delivery_id)
    if not _still_true(delivery, now):
        NoticeDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
            status=Status.CANCELLED
        )
        return False
    return _send(delivery, now)


def delivery_send_claimed(delivery: NoticeDelivery, now=None) -> bool:
    """Send a delivery that ``deliveries_create`` wrote claimed (``sending``) for this caller,
    right after the commit that marked its notice sent; True if it was sent.

    Its notice was found still true by that same sender a moment before
    (``reminder_send``), so it is not read again. Failures as ``delivery_send``."""
    return _send(delivery, now or timezone.now())


def _send(delivery: NoticeDelivery, now) -> bool:
    """Send a claimed delivery (``delivery.attempts``: this attempt's number) and record the
    outcome; the row is changed only while it is still ``sending``."""
    mine = NoticeDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING)
    try:
        # A network call, outside any transaction and lock.
        if delivery.channel == Channel.EMAIL:
            send_email(delivery.address, delivery.subject, delivery.body)
        else:
            send_template_sms(delivery.address, delivery.template, delivery.params, delivery.body)
    except Exception as exc:  # noqa: BLE001 — gateway and SMTP errors of every kind
        error = f"{type(exc).__name__}: {exc}"[:300]
        if delivery.attempts >= DELIVERY_ATTEMPTS:
            mine.update(status=Status.FAILED, error=error)
            log.error(
                "%s to user of notice %s failed for good: %s",
                delivery.channel,
                delivery.notice_id,
                error,
            )
        else:
            wait = DELIVERY_RETRY_FIRST * 4 ** (delivery.attempts - 1)
            mine.update(status=Status.PENDING, due_at=now + wait, error=error)
            log.warning(
                "%s of notice %s failed, retried in %s: %s",
                delivery.channel,
                delivery.notice_id,
                wait,
                error,
            )
        return False
    return bool(mine.update(status=Status.SENT, sent_at=timezone.now()))


def deliveries_send_due(*, now=None, limit: int = 200) -> int:
    """Beat: send every due delivery nobody has sent (retries, morning SMS). Returns how many."""
    now = now or timezone.now()
    ids = list(
        NoticeDelivery.objects.filter(_claimable(now), due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for delivery_id in ids:
        try:
            sent += delivery_send(delivery_id=delivery_id, now=now)
        except Exception:  # noqa: BLE001 — one bad row must not stop the others
            log.exception("Delivery %s could not be sent", delivery_id)
    return sent
