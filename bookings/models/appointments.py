"""Appointments and their timeline: who does which job when.

The invariant this app exists for: a worker is never booked twice for overlapping time. It
lives in the database (an exclusion constraint over the worker and the appointment's busy range
on PostgreSQL; see ``bookings/appointments/locking.py`` for the lock that makes bookings queue,
which is also the whole answer on SQLite).

The model only *records* a status change (``Appointment.record_transition``); what a change
triggers (dispatch, reminders, the rating request, the Oscar order status) is called by
``bookings.appointments.lifecycle.appointment_transition``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models, transaction
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.exceptions import InvalidTransition
from bookings.models.order_status import order_status_set
from bookings.models.workers import Worker
from marketplace.policy import TRAVEL_BUFFER


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
        PACKAGE = "package", _("A visit of a prepaid package")

    # The one table of allowed moves. ``record_transition`` refuses anything else.
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
    #: Statuses in which the appointment's worker has accepted the job (``offer_accept``):
    #: only then may a resident be told who comes (issue 14: no text names a worker who has
    #: not accepted). A no-show is left out: it may be reported on a job nobody accepted.
    WORKER_ACCEPTED = (Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED)
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
        help_text=_("The late-cancellation or no-show fee charged to the resident's card."),
    )
    moved_late = models.BooleanField(
        _("moved within 24 hours"),
        default=False,
        help_text=_(
            "Rescheduled within 24 hours of its start: moving was free, but cancelling it later "
            "costs the late-cancellation fee."
        ),
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
    # One visit of a regular series (``bookings.series``), or None for a single booking.
    series = models.ForeignKey(
        "bookings.Series",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("series"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["worker", "start"], name="appointment_worker_start"),
            # A worker's active appointments by start: what the slot search, a booking's
            # overlap check and load count, and the console read. Partial, so that it holds the
            # coming weeks only and a year of finished history costs them nothing (issue 20,
            # tests/bench/results/scale-explain.txt).
            models.Index(
                fields=["worker", "start"],
                name="appointment_worker_active",
                condition=Q(status__in=["held", "confirmed", "accepted", "in_progress"]),
            ),
            # The dispatch board's jobs (confirmed, upcoming) by start, with what it joins and
            # sorts on: PostgreSQL counts and pages a provider's board from the index alone
            # instead of visiting every upcoming appointment's row (bookings.dispatch.assignment).
            models.Index(
                fields=["start"],
                include=["stockrecord", "id"],
                name="appointment_confirmed_start",
                condition=Q(status="confirmed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(busy_until__gte=F("end")), name="appointment_busy_covers_end"
            ),
            # THE invariant: one worker, never two active appointments whose busy ranges
            # (start to end + travel buffer) overlap. PostgreSQL only (btree_gist); the
            # migration skips it elsewhere and the worker lock gives the same answer.
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
        return reverse("bookings:appointment-detail", args=[self.pk])

    @property
    def amount_due(self) -> Decimal:
        """What this appointment costs the resident now, in yuan: its price once completed,
        plus the late-cancellation or no-show fee it made due (``fees_due``). What the ledger
        records for it and what its order's card is charged for it."""
        price = self.price if self.status == self.Status.COMPLETED else Decimal("0.00")
        return price + self.fees_due

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def accepted_worker(self) -> Worker | None:
        """The worker who accepted this job, or None while nobody has (held, confirmed: the
        held worker may still decline, or the job be re-dispatched) or it ended unaccepted.

        Every text a resident reads that names a worker (reminders, the appointment page, the
        calendar) names this one, never ``worker`` (which is only who holds the slot)."""
        return self.worker if self.status in self.WORKER_ACCEPTED else None

    @transaction.atomic
    def record_transition(
        self,
        new_status,
        *,
        by=None,
        reason: str = "",
        reason_params: dict | None = None,
        fee=Decimal("0.00"),
    ) -> AppointmentEvent:  # noqa: F821 - appointment_events imports this module
        """Record a move to ``new_status`` if TRANSITIONS allows it: who, when, why, which fee.

        Only the record: one conditional UPDATE of the status and one ``AppointmentEvent`` row
        (returned). What the move triggers is not reached from here; call
        ``bookings.appointments.lifecycle.appointment_transition``, which calls this first.

        The UPDATE is conditional on the status we read: zero rows means another request
        moved this appointment first, and we refuse rather than overwrite its decision.
        Raises ``InvalidTransition`` (a move the table forbids, or a lost race).
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
        # The timeline row (``AppointmentEvent``, in ``appointment_events``, which imports this).
        return self.events.create(
            actor=by if getattr(by, "pk", None) else None,
            from_status=old_status,
            to_status=new_status,
            reason=reason,
            reason_params=reason_params or {},
            fee=fee,
        )

    def sync_order_status(self):
        """Make this Oscar line, and the order, say what the appointments say.

        Touches only this appointment's own line and order (no service is reached from here);
        called by the lifecycle after every recorded transition.

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
            order_status_set(order, target)
