"""Repair requests, their events and photos, and the enterprise's promise (``RepairPolicy``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from repairs import policy


class RepairPolicy(models.Model):
    """An enterprise's published repair promise, in minutes from the report (local clock)."""

    enterprise = models.OneToOneField(
        "marketplace.Enterprise",
        on_delete=models.CASCADE,
        related_name="repair_policy",
        verbose_name=_("enterprise"),
    )
    urgent_take_minutes = models.PositiveIntegerField(
        _("urgent: taken within (minutes)"), default=policy.DEFAULT_URGENT_TAKE_MINUTES
    )
    urgent_arrive_minutes = models.PositiveIntegerField(
        _("urgent: on site within (minutes)"), default=policy.DEFAULT_URGENT_ARRIVE_MINUTES
    )
    normal_take_minutes = models.PositiveIntegerField(
        _("normal: taken within (minutes)"), default=policy.DEFAULT_NORMAL_TAKE_MINUTES
    )
    normal_arrive_minutes = models.PositiveIntegerField(
        _("normal: on site within (minutes)"), default=policy.DEFAULT_NORMAL_ARRIVE_MINUTES
    )

    class Meta:
        verbose_name = _("repair promise")
        verbose_name_plural = _("repair promises")
        constraints = [
            models.CheckConstraint(
                condition=Q(urgent_take_minutes__gt=0)
                & Q(normal_take_minutes__gt=0)
                & Q(urgent_arrive_minutes__gte=models.F("urgent_take_minutes"))
                & Q(normal_arrive_minutes__gte=models.F("normal_take_minutes")),
                name="repair_policy_sane",
            )
        ]

    def __str__(self):
        return f"{self.enterprise}: {self.urgent_take_minutes}/{self.urgent_arrive_minutes}"

    def minutes(self, urgency: str) -> tuple[int, int]:
        """(take, arrive) minutes for ``urgency`` (``RepairRequest.Urgency``)."""
        if urgency == RepairRequest.Urgency.URGENT:
            return self.urgent_take_minutes, self.urgent_arrive_minutes
        return self.normal_take_minutes, self.normal_arrive_minutes


class RepairRequest(models.Model):
    """A repair reported by a resident (or entered by the enterprise's desk)."""

    class Area(models.TextChoices):
        HOME = "home", _("My home")
        COMMON = "common", _("Common area")

    class Category(models.TextChoices):
        PLUMBING = "plumbing", _("Plumbing")
        ELECTRICAL = "electrical", _("Electrical")
        DOORS_WINDOWS = "doors_windows", _("Doors and windows")
        LIFTS = "lifts", _("Lifts")
        FIRE_SAFETY = "fire_safety", _("Fire safety")
        WALLS_ROOF = "walls_roof", _("Walls and roof")
        FACILITIES = "facilities", _("Common facilities")
        OTHER = "other", _("Other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class Source(models.TextChoices):
        APP = "app", _("Online, by the resident")
        PHONE = "phone", _("By telephone")
        DESK = "desk", _("At the service desk")
        HOTLINE = "hotline", _("12345 hotline ticket")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Waiting for a worker")
        ACCEPTED = "accepted", _("Taken by a worker")
        ON_THE_WAY = "on_the_way", _("Worker on the way")
        ON_SITE = "on_site", _("Worker on site")
        COMPLETED = "completed", _("Done: please confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    #: Every allowed move. Reopening a completed repair sends it back to dispatch.
    TRANSITIONS = {
        Status.REPORTED: {Status.ACCEPTED, Status.CANCELLED},
        Status.ACCEPTED: {Status.ON_THE_WAY, Status.ON_SITE, Status.CANCELLED},
        Status.ON_THE_WAY: {Status.ON_SITE, Status.CANCELLED},
        Status.ON_SITE: {Status.COMPLETED},
        Status.COMPLETED: {Status.CONFIRMED, Status.REPORTED},
        Status.CONFIRMED: set(),
        Status.CANCELLED: set(),
    }
    CLOSED = (Status.CONFIRMED, Status.CANCELLED)
    #: A worker holds the request (taken and not yet done).
    WORKING = (Status.ACCEPTED, Status.ON_THE_WAY, Status.ON_SITE)

    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="repair_requests",
        verbose_name=_("community"),
    )
    area = models.CharField(_("where"), max_length=10, choices=Area.choices)
    household = models.ForeignKey(
        "marketplace.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_requests",
        verbose_name=_("home"),
    )
    location = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("For a common area: building, floor and place, e.g. 3号楼 2层 电梯厅."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("what is wrong"), max_length=2000)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    urgency_by_rule = models.BooleanField(_("urgent by rule"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    hotline_ticket = models.CharField(_("12345 ticket number"), max_length=40, blank=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_requests",
        verbose_name=_("resident"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED, db_index=True
    )
    worker = models.ForeignKey(
        "bookings.Worker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_requests",
        verbose_name=_("maintenance worker"),
    )
    # The clocks (UTC). Due times are set at the report (and again at a reopening).
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    take_due = models.DateTimeField(_("to be taken by"))
    arrive_due = models.DateTimeField(_("to be on site by"))
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("on site at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    take_escalated_at = models.DateTimeField(_("take clock escalated at"), null=True, blank=True)
    arrive_escalated_at = models.DateTimeField(
        _("arrival clock escalated at"), null=True, blank=True
    )
    no_worker_escalated_at = models.DateTimeField(
        _("no worker left: escalated at"), null=True, blank=True
    )
    completion_notes = models.TextField(_("completion notes"), blank=True, max_length=2000)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # A common-area repair paid from the special maintenance fund (专项维修资金), disclosed on
    # the board after the work (the national notice: emergency uses disclosed afterwards).
    fund_amount = models.DecimalField(
        _("paid from the maintenance fund (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fund_disclosed_at = models.DateTimeField(_("fund use disclosed at"), null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("repair request")
        verbose_name_plural = _("repair requests")
        indexes = [
            models.Index(fields=["status", "take_due"], name="repair_take_due"),
            models.Index(fields=["status", "arrive_due"], name="repair_arrive_due"),
            models.Index(fields=["community", "reported_at"], name="repair_figures"),
        ]
        constraints = [
            # A home repair names a household; a common-area one names a place instead.
            models.CheckConstraint(
                condition=(Q(area="home") & Q(household__isnull=False))
                | (Q(area="common") & Q(household__isnull=True) & ~Q(location="")),
                name="repair_area_matches_place",
            ),
            # A 12345 ticket number comes with the hotline source, and only with it.
            models.CheckConstraint(
                condition=(Q(source="hotline") & ~Q(hotline_ticket=""))
                | (~Q(source="hotline") & Q(hotline_ticket="")),
                name="repair_hotline_ticket",
            ),
            # Only a common-area repair is paid from the maintenance fund, and never a negative sum.
            models.CheckConstraint(
                condition=Q(fund_amount__isnull=True) | (Q(area="common") & Q(fund_amount__gt=0)),
                name="repair_fund_common_area_only",
            ),
            # A worker holds the request exactly while it is taken and not back at dispatch.
            models.CheckConstraint(
                condition=Q(status="reported", worker__isnull=True)
                | Q(status="cancelled")
                | (~Q(status__in=["reported", "cancelled"]) & Q(worker__isnull=False)),
                name="repair_worker_matches_status",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_category_display()} ({self.get_status_display()})"

    @property
    def place(self) -> str:
        """The home's address or the common-area place, for the pages."""
        if self.household_id:
            return self.household.address_line
        return self.location

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


#: The notes the system writes on a repair's timeline, stored untranslated with their values in
#: ``RepairEvent.note_params`` and translated when shown (``RepairEvent.display_note``); a
#: person's reason (a cancellation, a reopening) is shown as written.
STANDARD_NOTES = frozenset(
    (
        gettext_noop("Assigned by the repair desk"),
        gettext_noop("Paid from the maintenance fund: %(amount)s"),
    )
)


class RepairEvent(models.Model):
    """One transition of a request: from, to, when, by whom, why."""

    request = models.ForeignKey(
        RepairRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    note_params = models.JSONField(
        _("details of the note"),
        default=dict,
        blank=True,
        help_text=_("The values a fixed note names (an amount in yuan as text)."),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("repair event")
        verbose_name_plural = _("repair events")

    def __str__(self):
        return f"{self.request_id}: {self.from_status} → {self.to_status}"

    @property
    def from_label(self) -> str:
        """The status moved from, in the active language ("" for the first step)."""
        return RepairRequest.Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        """The status moved to, in the active language."""
        return RepairRequest.Status(self.to_status).label

    @property
    def display_note(self) -> str:
        """The note in the active language: a fixed note translated with its values (an
        amount as ¥), a person's words as written."""
        if self.note not in STANDARD_NOTES:
            return self.note
        values = dict(self.note_params)
        if "amount" in values:
            values["amount"] = f"¥{Decimal(values['amount']):,.2f}"
        try:
            return gettext(self.note) % values if values else gettext(self.note)
        except (KeyError, TypeError, ValueError):
            return gettext(self.note)


def _photo_path(instance, filename):
    return f"repairs/{instance.request_id}/{filename}"


class RepairPhoto(models.Model):
    """A photo of the fault (resident) or of the finished work (worker); EXIF stripped."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Reported")
        AFTER = "after", _("After the repair")

    request = models.ForeignKey(
        RepairRequest, on_delete=models.CASCADE, related_name="photos", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    image = models.ImageField(
        _("photo"), upload_to=_photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("repair photo")
        verbose_name_plural = _("repair photos")

    def __str__(self):
        return f"{self.request_id}: {self.kind} {self.image.name}"
