"""Workers, their time, and appointments: who does which job when.

The invariant this app exists for: a worker is never booked twice for overlapping time. It
lives in the database (an exclusion constraint over the worker and the appointment's busy range
on PostgreSQL; see ``services.py`` for the lock that makes bookings queue, which is also the
whole answer on SQLite).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models, transaction
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.exceptions import InvalidTransition
from marketplace.policy import TRAVEL_BUFFER


class Worker(models.Model):
    """A person who does the jobs of one provider: cleaner, carer, courier, technician."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="worker_profile",
        verbose_name=_("user"),
    )
    provider = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        related_name="workers",
        verbose_name=_("provider"),
    )
    skills = models.ManyToManyField(
        "catalogue.ProductClass",
        blank=True,
        related_name="workers",
        verbose_name=_("skills"),
        help_text=_("The kinds of service this worker may be booked for."),
    )
    communities = models.ManyToManyField(
        "marketplace.Community",
        blank=True,
        related_name="workers",
        verbose_name=_("communities served"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    rating = models.DecimalField(
        _("rating"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("5.00"),
        help_text=_("Average of residents' ratings, 1 to 5."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.email


class WeeklyHours(models.Model):
    """One stretch of a weekday on which a worker takes jobs (local time, Asia/Shanghai)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="weekly_hours", verbose_name=_("worker")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["worker", "weekday", "start"]
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="weekly_hours_end_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_hours_weekday_0_to_6"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class TimeOff(models.Model):
    """A worker is away: holiday, sick leave, training."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="time_off", verbose_name=_("worker")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["worker", "start"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="time_off_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.worker}: {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Appointment(models.Model):
    """One service at one household at one time, done by one worker; one line of an order."""

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        CONFIRMED = "confirmed", _("Confirmed")
        ACCEPTED = "accepted", _("Accepted by the worker")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")
        NO_SHOW = "no_show", _("No-show")

    class PaymentMethod(models.TextChoices):
        AFTER_SERVICE = "after_service", _("Pay after the service")
        CARD = "card", _("Saved card (authorised at booking, captured on completion)")

    # The one table of allowed moves. ``transition_to`` refuses anything else.
    TRANSITIONS = {
        Status.HELD: {Status.CONFIRMED, Status.EXPIRED, Status.CANCELLED},
        Status.CONFIRMED: {Status.ACCEPTED, Status.CANCELLED, Status.NO_SHOW},
        # Back to confirmed when the worker changes (reschedule, re-dispatch).
        Status.ACCEPTED: {Status.IN_PROGRESS, Status.CONFIRMED, Status.CANCELLED, Status.NO_SHOW},
        Status.IN_PROGRESS: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
        Status.EXPIRED: set(),
        Status.NO_SHOW: set(),
    }
    #: Statuses that occupy the worker; the exclusion constraint covers exactly these.
    ACTIVE = (Status.HELD, Status.CONFIRMED, Status.ACCEPTED, Status.IN_PROGRESS)
    #: The Oscar order (line) status each appointment status corresponds to.
    ORDER_STATUS = {
        Status.HELD: "Pending",
        Status.CONFIRMED: "Confirmed",
        Status.ACCEPTED: "Confirmed",
        Status.IN_PROGRESS: "In progress",
        Status.COMPLETED: "Completed",
        Status.CANCELLED: "Cancelled",
        Status.EXPIRED: "Cancelled",
        Status.NO_SHOW: "Cancelled",
    }

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("resident"),
    )
    household = models.ForeignKey(
        "marketplace.Household",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("household"),
    )
    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("community"),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("service"),
    )
    stockrecord = models.ForeignKey(
        "partner.StockRecord",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("price record"),
    )
    order = models.ForeignKey(
        "order.Order",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("order"),
    )
    line = models.OneToOneField(
        "order.Line",
        on_delete=models.PROTECT,
        related_name="appointment",
        verbose_name=_("order line"),
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("worker")
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    # end + travel buffer, stored because PostgreSQL only indexes immutable expressions and
    # timestamptz + interval is not one. Kept in step by ``save()``.
    busy_until = models.DateTimeField(_("busy until"), editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.HELD, db_index=True
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    cancellation_fee = models.DecimalField(
        _("late cancellation fee"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("The service's fee for cancelling within 24 hours, as it was when booked."),
    )
    fees_due = models.DecimalField(
        _("fees due"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Late cancellation or rescheduling fees the resident owes."),
    )
    board_revision_id = models.PositiveIntegerField(
        _("fee board revision"),
        null=True,
        blank=True,
        help_text=_("The published fee-board revision that justified the price."),
    )
    payment_method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.AFTER_SERVICE,
    )
    # The booking form's one-time key (one-click booking only): a repeated click with the same
    # key finds this appointment instead of booking a second worker. Unique per resident.
    booking_key = models.CharField(
        _("booking key"), max_length=200, null=True, blank=True, editable=False
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["worker", "start"], name="appointment_worker_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(busy_until__gte=F("end")), name="appointment_busy_covers_end"
            ),
            # THE invariant: one worker, never two active appointments whose busy ranges
            # (start to end + travel buffer) overlap. PostgreSQL only (btree_gist); the
            # migration skips it elsewhere and services.py's lock gives the same answer.
            ExclusionConstraint(
                name="appointment_worker_no_overlap",
                expressions=[
                    ("worker", RangeOperators.EQUAL),
                    (TsTzRange("start", "busy_until"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["held", "confirmed", "accepted", "in_progress"]),
            ),
            # One booking per click: a double click (even two requests racing) cannot book
            # twice with one key. Partial: only keyed rows (one-click bookings) are indexed.
            models.UniqueConstraint(
                fields=["resident", "booking_key"],
                condition=Q(booking_key__isnull=False),
                name="appointment_booking_key_once",
            ),
        ]

    def __str__(self):
        return (
            f"#{self.pk} {self.product.get_title()} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"
        )

    def save(self, *args, **kwargs):
        self.busy_until = self.end + TRAVEL_BUFFER
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "end" in update_fields:
            kwargs["update_fields"] = {*update_fields, "busy_until"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("bookings:appointment-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @transaction.atomic
    def transition_to(self, new_status, *, by=None, reason: str = "", fee=Decimal("0.00")):
        """Move to ``new_status`` if TRANSITIONS allows it; record who, when and why.

        The UPDATE is conditional on the status we read: zero rows means another request
        moved this appointment first, and we refuse rather than overwrite its decision.
        The Oscar order (and this line) follow in the same transaction.
        """
        old_status = self.status
        if new_status not in self.TRANSITIONS[old_status]:
            raise InvalidTransition(
                gettext("An appointment that is %(old)s cannot become %(new)s.")
                % {"old": self.Status(old_status).label, "new": self.Status(new_status).label}
            )
        moved = Appointment.objects.filter(pk=self.pk, status=old_status).update(
            status=new_status, updated=timezone.now()
        )
        if not moved:
            raise InvalidTransition(
                gettext("This appointment was changed meanwhile. Reload the page and try again.")
            )
        self.status = new_status
        event = AppointmentEvent.objects.create(
            appointment=self,
            actor=by if getattr(by, "pk", None) else None,
            from_status=old_status,
            to_status=new_status,
            reason=reason,
            fee=fee,
        )
        self.sync_order_status()
        # dispatch hook (bookings/dispatch.py): the outbox row on confirm; offers, reminders
        # and the rating request follow the status, in this same transaction.
        from bookings.dispatch import on_transition

        on_transition(self, old_status, new_status, by=by)
        return event

    def sync_order_status(self):
        """Make this Oscar line, and the order, say what the appointments say.

        An order can hold several appointments (basket checkout): it is Cancelled when all of
        them are off, Completed when every live one is done, In progress once one has started,
        Confirmed when none is still held. Oscar's pipeline refuses backward moves, so we
        only move forward.
        """
        line_status = self.ORDER_STATUS[self.Status(self.status)]
        if self.line.status != line_status:
            self.line.status = line_status
            self.line.save(update_fields=["status"])
        order = self.order
        statuses = [
            self.ORDER_STATUS[s] for s in order.appointments.values_list("status", flat=True)
        ]
        live = [s for s in statuses if s != "Cancelled"]
        if not live:
            target = "Cancelled"
        elif all(s == "Completed" for s in live):
            target = "Completed"
        elif any(s in ("In progress", "Completed") for s in live):
            target = "In progress"
        elif "Pending" in live:
            target = "Pending"
        else:
            target = "Confirmed"
        if target != order.status and target in order.available_statuses():
            order.set_status(target)


class AppointmentEvent(models.Model):
    """One row per status change (and per reschedule): the appointment's timeline."""

    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("appointment"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(
        _("from"), max_length=20, choices=Appointment.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Appointment.Status.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    fee = models.DecimalField(
        _("fee"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("The late-change fee this event made due, if any."),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")

    def __str__(self):
        return f"{self.appointment_id}: {self.from_status or '∅'} → {self.to_status}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A resident's private calendar address: whoever has the token sees their appointments.

    Revoking deletes the row; a new feed gets a new token, so old addresses stop working.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


# Dispatch and reminders (offers, attempts, outbox, reminders): same app, own module.
from bookings.models_dispatch import *  # noqa: E402,F401,F403
