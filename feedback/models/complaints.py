"""Complaints (投诉): what about, who answers, the two clocks, and the timeline.

The subject is a ``kind`` plus nullable links (appointment, worker, provider); a new subject
(a repair request) is one more kind and one more nullable link. A complaint is never deleted
(``on_delete=PROTECT`` everywhere it hangs).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from feedback.policy import COMPLAINT_TEXT_MAX, REOPEN_MAX


class Complaint(models.Model):
    """One complaint, from the web or the 12345 hotline, on two clocks.

    Clocks (aware UTC): ``response_due`` (first response), ``resolution_due``; while the
    handler waits for the resident's information (``paused_at`` set) neither clock runs:
    the time waited is added to both due times when the resident answers (said publicly on
    the complaint page). ``escalation_level``: 0 none, 1 the enterprise's manager was told,
    2 flagged for the street office.
    """

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", _("An appointment")
        WORKER = "worker", _("A worker")
        PROVIDER = "provider", _("A service provider")
        FEE = "fee", _("A fee")
        PROPERTY = "property", _("The property service in general")
        REPAIR = "repair", _("A repair request")

    class Category(models.TextChoices):
        WATER = "water", _("Water")
        ELECTRICITY = "electricity", _("Electricity")
        GAS = "gas", _("Gas")
        HEATING = "heating", _("Heating")
        LIFT = "lift", _("Lifts")
        SAFETY = "safety", _("Safety")
        FEE_NOT_ON_BOARD = "fee_not_on_board", _("Charged something not on the board")
        SERVICE_QUALITY = "service_quality", _("Quality of the service")
        PUNCTUALITY = "punctuality", _("Late or did not come")
        CONDUCT = "conduct", _("Conduct")
        PROPERTY = "property", _("Property management")
        OTHER = "other", _("Other")

    #: Categories answered within the urgent first-response time.
    URGENT = {"water", "electricity", "gas", "heating", "lift", "safety"}
    #: Categories resolved within the utilities' resolution time.
    UTILITIES = {"water", "electricity", "gas", "heating", "lift"}

    class Channel(models.TextChoices):
        WEB = "web", _("Online")
        HOTLINE = "hotline", _("12345 hotline")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a first response")
        IN_PROGRESS = "in_progress", _("Being handled")
        WAITING = "waiting", _("Waiting for your information")
        RESOLVED = "resolved", _("Resolved: please tell us if you are satisfied")
        CLOSED = "closed", _("Closed")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    #: Statuses whose clocks run (or are paused, for WAITING).
    OPEN_STATUSES = ("open", "in_progress", "waiting")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("about"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    hotline_ticket = models.CharField(_("12345 ticket number"), max_length=40, blank=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("resident"),
        help_text=_("Empty for a hotline caller without an account."),
    )
    caller_name = models.CharField(_("caller's name"), max_length=100, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=30, blank=True)
    community = models.ForeignKey(
        "marketplace.Community",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("community"),
    )
    enterprise = models.ForeignKey(
        "marketplace.Enterprise",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("enterprise"),
    )
    appointment = models.ForeignKey(
        "bookings.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("appointment"),
    )
    repair_request = models.ForeignKey(
        "repairs.RepairRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("repair request"),
    )
    worker = models.ForeignKey(
        "bookings.Worker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("worker"),
    )
    provider = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("provider"),
        help_text=_("The provider who answers it; empty: the enterprise answers."),
    )
    text = models.TextField(_("what happened"), max_length=COMPLAINT_TEXT_MAX)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    filed_at = models.DateTimeField(_("filed at"), db_index=True)
    response_due = models.DateTimeField(_("first response due"))
    responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clocks paused since"), null=True, blank=True)
    is_complex = models.BooleanField(_("complex case"), default=False)
    complex_reason = models.CharField(_("why complex"), max_length=300, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="hotline") | ~Q(hotline_ticket=""),
                name="complaint_hotline_has_ticket",
            ),
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | Q(channel="hotline"),
                name="complaint_web_has_resident",
            ),
            models.CheckConstraint(
                condition=Q(is_complex=False) | ~Q(complex_reason=""),
                name="complaint_complex_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level__lte=2), name="complaint_escalation_0_to_2"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "filed_at"], name="complaint_community_filed"),
            models.Index(fields=["provider", "filed_at"], name="complaint_provider_filed"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def can_reopen(self) -> bool:
        return (
            self.status == self.Status.CLOSED
            and self.satisfaction == self.Satisfaction.DISSATISFIED
            and self.reopened < REOPEN_MAX
        )

    def subject_label(self) -> str:
        """What it is about, in the active language: the kind and the named subject."""
        parts = [str(self.Kind(self.kind).label)]
        if self.appointment_id:
            parts.append(str(self.appointment.product.get_title()))
        if self.repair_request_id:
            repair = self.repair_request
            parts.append(f"#{repair.pk} {repair.get_category_display()}")
        if self.worker_id:
            parts.append(self.worker.display_name)
        elif self.provider_id and self.kind == self.Kind.PROVIDER:
            parts.append(self.provider.display_name)
        return " · ".join(parts)


#: The texts the system writes on a complaint's timeline (escalations), stored untranslated and
#: translated when shown (``ComplaintEvent.display_label``).
STANDARD_TEXTS = frozenset(
    (
        gettext_noop(
            "The first-response clock was overrun: escalated to the enterprise's manager."
        ),
        gettext_noop("The resolution clock was overrun: escalated to the enterprise's manager."),
        gettext_noop("Still unresolved after escalation: flagged for the street office."),
    )
)


class ComplaintEvent(models.Model):
    """One row per step of a complaint: its public timeline."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        RESPONDED = "responded", _("Answered")
        INFO_REQUESTED = "info_requested", _("More information asked for (clocks paused)")
        INFO_ADDED = "info_added", _("Information added")
        NOTE = "note", _("Note")
        COMPLEX = "complex", _("Marked complex")
        RESOLVED = "resolved", _("Resolved")
        RATED = "rated", _("Satisfaction given")
        REOPENED = "reopened", _("Reopened")
        ESCALATED = "escalated", _("Escalated")
        EVIDENCE = "evidence", _("Evidence attached")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="events", verbose_name=_("complaint")
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("text"), blank=True, max_length=COMPLAINT_TEXT_MAX)
    satisfaction = models.CharField(
        _("satisfaction"),
        max_length=20,
        choices=Complaint.Satisfaction.choices,
        blank=True,
        help_text=_("The answer given at this step (kind rated)."),
    )
    appointment_event = models.ForeignKey(
        "bookings.AppointmentEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointment event"),
        help_text=_("An event of the appointment attached as evidence."),
    )
    appointment_message = models.ForeignKey(
        "bookings.AppointmentMessage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conversation message"),
        help_text=_("A message of the appointment's conversation attached as evidence."),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self):
        return f"{self.complaint_id}: {self.kind}"

    @property
    def display_label(self) -> str:
        """What the system says about this step, in the active language: an escalation's
        fixed text, the satisfaction given, or the attached appointment event or message
        (its local time, status or side, and fixed reason, rendered now from the linked row).
        "" when the step carries only a person's words (``people_text``)."""
        if self.appointment_event_id:
            e = self.appointment_event
            at = timezone.localtime(e.at)
            label = f"{at:%Y-%m-%d %H:%M} {e.get_to_status_display()}"
            return f"{label} {e.display_reason}".strip() if e.reason else label
        if self.appointment_message_id:
            m = self.appointment_message
            return f"{timezone.localtime(m.created):%Y-%m-%d %H:%M} {m.get_role_display()}"
        if self.kind == self.Kind.RATED and self.satisfaction:
            return str(Complaint.Satisfaction(self.satisfaction).label)
        if self.text in STANDARD_TEXTS:
            return gettext(self.text)
        return ""

    @property
    def people_text(self) -> str:
        """The words a person wrote at this step (a complaint, an answer, a resident's comment
        on their satisfaction, a quoted message), shown as written; "" for system steps."""
        if self.appointment_event_id or self.text in STANDARD_TEXTS:
            return ""
        if self.appointment_message_id:
            return self.appointment_message.body
        return self.text


class ComplaintPhoto(models.Model):
    """A photo of a complaint (resized, EXIF stripped by ``feedback.photos``)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="photos", verbose_name=_("complaint")
    )
    event = models.ForeignKey(
        ComplaintEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("step"),
    )
    image = models.ImageField(_("photo"), upload_to="complaints/%Y/%m/")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")

    def __str__(self):
        return f"{self.complaint_id}: {self.image.name}"
