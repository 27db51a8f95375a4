"""The complaint lifecycle: file (web or 12345), answer, ask for information, resolve, rate,
reopen once, and the beat task's escalation of breached clocks.

Every step is one ``ComplaintEvent`` row (the public timeline) written in the step's
transaction; status moves are conditional UPDATEs on the status read (0 rows: someone else
moved it first → ``Conflict``). Notices go through ``feedback.notices.complaint_notify``.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bookings.models import Appointment, AppointmentEvent, AppointmentMessage, Notice, Worker
from feedback.complaints.access import handled_by, is_enterprise_staff_of
from feedback.complaints.clocks import breached, clocks_from, resolution_time
from feedback.exceptions import Conflict, FeedbackError, NotAllowed
from feedback.models import Complaint, ComplaintEvent, ComplaintPhoto
from feedback.notices import complaint_notify
from feedback.photos import photos_clean
from feedback.policy import COMPLAINT_PHOTOS_MAX, COMPLAINT_TEXT_MAX, STREET_OFFICE_AFTER
from marketplace import metrics
from marketplace.models import Community
from marketplace.partner.models import Partner
from repairs.models import RepairRequest

Status = Complaint.Status
Kind = Complaint.Kind
Event = ComplaintEvent.Kind

#: Subjects a provider answers; the enterprise answers the rest (fees, the property,
#: repairs: its own repair desk).
PROVIDER_KINDS = (Kind.APPOINTMENT, Kind.WORKER, Kind.PROVIDER)

#: The complaint category a repair's category suggests (anything else: the property).
REPAIR_CATEGORIES = {
    RepairRequest.Category.PLUMBING: Complaint.Category.WATER,
    RepairRequest.Category.ELECTRICAL: Complaint.Category.ELECTRICITY,
    RepairRequest.Category.LIFTS: Complaint.Category.LIFT,
    RepairRequest.Category.FIRE_SAFETY: Complaint.Category.SAFETY,
}


def category_for_repair(repair: RepairRequest) -> str:
    """The default complaint category for a complaint about ``repair``: water, electricity,
    lifts or safety for those repair categories, else ``property``."""
    return REPAIR_CATEGORIES.get(repair.category, Complaint.Category.PROPERTY)


def is_residents_repair(user, repair: RepairRequest) -> bool:
    """True when ``repair`` was reported by ``user`` or is for one of their homes (the same
    rule as ``repairs.access.requests_of_resident``)."""
    return repair.resident_id == user.pk or (
        repair.household_id is not None and repair.household.user_id == user.pk
    )


def _text(text, *, required=True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise FeedbackError(_("Please write what happened."))
    if len(text) > COMPLAINT_TEXT_MAX:
        raise FeedbackError(
            _("The text is longer than %(n)d characters.") % {"n": COMPLAINT_TEXT_MAX}
        )
    return text


def _choice(value, choices, message):
    if value not in choices.values:
        raise FeedbackError(message)
    return value


def _event(
    complaint,
    kind,
    *,
    by=None,
    text="",
    now,
    appointment_event=None,
    appointment_message=None,
    satisfaction="",
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        satisfaction=satisfaction,
        complaint=complaint,
        kind=kind,
        at=now,
        actor=by if getattr(by, "pk", None) else None,
        text=text,
        appointment_event=appointment_event,
        appointment_message=appointment_message,
    )


def _move(complaint: Complaint, old, **fields) -> None:
    """Apply ``fields`` if the complaint is still in status ``old``; else ``Conflict``."""
    if not Complaint.objects.filter(pk=complaint.pk, status=old).update(**fields):
        raise Conflict(_("This complaint was changed meanwhile. Reload the page and try again."))
    for name, value in fields.items():
        if not hasattr(value, "resolve_expression"):
            setattr(complaint, name, value)


def handlers_of(complaint: Complaint) -> list:
    """Who answers it: the provider's managers, or (no provider) the enterprise's staff."""
    if complaint.provider_id:
        managers = list(complaint.provider.users.all())
        if managers:
            return managers
    return list(complaint.enterprise.staff.all())


def _tell(users, complaint: Complaint, kind: str, event, *, for_handler: bool) -> None:
    # One notice per person, sent after commit (texts: ``feedback.notices``).
    complaint_notify(users, complaint, kind, event=event, for_handler=for_handler)


def _photos(complaint, event, photos) -> None:
    for upload in photos:
        ComplaintPhoto.objects.create(complaint=complaint, event=event, image=upload)


@transaction.atomic
def complaint_file(
    *,
    user,
    kind: str,
    category: str,
    text: str,
    community: Community | None = None,
    appointment: Appointment | None = None,
    repair_request: RepairRequest | None = None,
    worker: Worker | None = None,
    provider: Partner | None = None,
    photos=(),
    now=None,
) -> Complaint:
    """A resident files a complaint; returns it, numbered, clocks running from ``now``.

    ``kind`` (``Complaint.Kind``) says what it is about: an ``appointment`` of the resident's
    own (its worker and provider follow), a ``worker`` or ``provider`` (of the resident's
    community), a ``fee`` or the ``property``: those and anything without a provider are
    answered by the community's enterprise. A ``repair`` complaint is about a
    ``repair_request`` of the resident's own (reported by them or for their home): its
    community's enterprise (the repair desk) answers it; an empty ``category`` then defaults
    to ``category_for_repair``. ``photos``: uploads, at most ``COMPLAINT_PHOTOS_MAX``, cleaned
    by ``feedback.photos`` (EXIF stripped).

    Raises ``NotAllowed`` (someone else's appointment or repair, a subject outside the
    resident's communities) or ``FeedbackError`` (bad kind, category, text or photo); nothing
    is written.
    """
    now = now or timezone.now()
    _choice(kind, Kind, _("Choose what the complaint is about."))
    if kind == Kind.REPAIR:
        if repair_request is None:
            raise FeedbackError(_("Choose the repair."))
        if not is_residents_repair(user, repair_request):
            raise NotAllowed(_("You can only complain about your own repairs."))
        category = category or category_for_repair(repair_request)
    elif repair_request is not None:
        raise FeedbackError(_("A repair can only be complained about as a repair."))
    _choice(category, Complaint.Category, _("Choose a category."))
    text = _text(text)
    photos = photos_clean(photos, max_count=COMPLAINT_PHOTOS_MAX)
    communities = {h.community_id: h.community for h in user.households.select_related("community")}
    if repair_request is not None:
        if appointment is not None or worker is not None or provider is not None:
            raise FeedbackError(_("A complaint about a repair has no other subject."))
        return _create(
            by=user,
            resident=user,
            kind=kind,
            category=category,
            text=text,
            community=repair_request.community,
            repair_request=repair_request,
            photos=photos,
            now=now,
        )
    if appointment is not None:
        if appointment.resident_id != user.pk:
            raise NotAllowed(_("You can only complain about your own appointments."))
        community = appointment.community
        worker = appointment.accepted_worker
        provider = appointment.stockrecord.partner
    elif kind == Kind.APPOINTMENT:
        raise FeedbackError(_("Choose the appointment."))
    if worker is not None:
        provider = worker.provider
    if kind in (Kind.WORKER, Kind.PROVIDER) and provider is None:
        raise FeedbackError(_("Choose the worker or provider."))
    if community is None:
        community = next(iter(communities.values()), None)
    if community is None or (appointment is None and community.pk not in communities):
        raise NotAllowed(_("You can only complain about your own community."))
    if provider is not None and appointment is None:
        if not provider.communities.filter(pk=community.pk).exists():
            raise NotAllowed(_("This provider does not serve your community."))
    return _create(
        by=user,
        resident=user,
        kind=kind,
        category=category,
        text=text,
        community=community,
        appointment=appointment,
        worker=worker,
        provider=provider if kind in PROVIDER_KINDS else None,
        photos=photos,
        now=now,
    )


@transaction.atomic
def complaint_file_hotline(
    *,
    staff,
    ticket: str,
    community: Community,
    kind: str,
    category: str,
    text: str,
    caller_name: str = "",
    caller_phone: str = "",
    resident=None,
    provider: Partner | None = None,
    now=None,
) -> Complaint:
    """Enterprise staff enter a complaint that came by the 12345 hotline, with its ticket
    number; it runs through the same flow and counts in the same figures.

    Raises ``NotAllowed`` (the community is not the staff member's enterprise's, or the
    provider does not serve it) or ``FeedbackError`` (no ticket, bad kind/category/text)."""
    now = now or timezone.now()
    ticket = (ticket or "").strip()
    if not ticket or len(ticket) > 40:
        raise FeedbackError(_("Enter the 12345 ticket number."))
    _choice(kind, Kind, _("Choose what the complaint is about."))
    if kind == Kind.REPAIR:
        raise FeedbackError(_("Enter a complaint about a repair from the repair's page."))
    _choice(category, Complaint.Category, _("Choose a category."))
    text = _text(text)
    if not staff.enterprises.filter(pk=community.enterprise_id).exists():
        raise NotAllowed(_("You can only enter complaints for your enterprise's communities."))
    if provider is not None and not provider.communities.filter(pk=community.pk).exists():
        raise NotAllowed(_("This provider does not serve the community."))
    return _create(
        by=staff,
        resident=resident,
        kind=kind,
        category=category,
        text=text,
        community=community,
        provider=provider if kind in PROVIDER_KINDS else None,
        channel=Complaint.Channel.HOTLINE,
        hotline_ticket=ticket,
        caller_name=caller_name.strip()[:100],
        caller_phone=caller_phone.strip()[:30],
        now=now,
    )


def _create(*, by, photos=(), now, **fields) -> Complaint:
    response_due, resolution_due = clocks_from(fields["category"], now)
    complaint = Complaint.objects.create(
        # A unique placeholder until the row has its id (the number is made from it).
        number=uuid.uuid4().hex[:20],
        enterprise_id=fields["community"].enterprise_id,
        filed_at=now,
        response_due=response_due,
        resolution_due=resolution_due,
        **fields,
    )
    local = timezone.localtime(now)
    complaint.number = f"TS{local:%Y%m%d}{complaint.pk:05d}"
    Complaint.objects.filter(pk=complaint.pk).update(number=complaint.number)
    event = _event(complaint, Event.FILED, by=by, text=complaint.text, now=now)
    _photos(complaint, event, photos)
    _tell(handlers_of(complaint), complaint, Notice.Kind.COMPLAINT_FILED, event, for_handler=True)
    return complaint


def _require_handler(complaint, user) -> None:
    if not handled_by(user).filter(pk=complaint.pk).exists():
        raise NotAllowed(_("You do not handle this complaint."))


@transaction.atomic
def complaint_respond(*, complaint: Complaint, user, text: str, now=None) -> ComplaintEvent:
    """A handler answers (the first answer stops the response clock); status → in progress.
    Raises ``NotAllowed`` (not a handler, or closed) or ``FeedbackError`` (no text)."""
    now = now or timezone.now()
    text = _text(text)
    _require_handler(complaint, user)
    if complaint.status not in (Status.OPEN, Status.IN_PROGRESS):
        raise NotAllowed(_("This complaint cannot be answered now."))
    _move(
        complaint,
        complaint.status,
        status=Status.IN_PROGRESS,
        responded_at=complaint.responded_at or now,
    )
    event = _event(complaint, Event.RESPONDED, by=user, text=text, now=now)
    _tell([complaint.resident], complaint, Notice.Kind.COMPLAINT_ANSWERED, event, for_handler=False)
    return event


@transaction.atomic
def complaint_request_info(*, complaint: Complaint, user, text: str, now=None) -> ComplaintEvent:
    """A handler asks the resident for information: this answers the complaint and pauses
    both clocks until the resident adds it (``complaint_add_info``)."""
    now = now or timezone.now()
    text = _text(text)
    _require_handler(complaint, user)
    if complaint.status not in (Status.OPEN, Status.IN_PROGRESS) or complaint.resident_id is None:
        raise NotAllowed(_("Information cannot be asked for now."))
    _move(
        complaint,
        complaint.status,
        status=Status.WAITING,
        paused_at=now,
        responded_at=complaint.responded_at or now,
    )
    event = _event(complaint, Event.INFO_REQUESTED, by=user, text=text, now=now)
    _tell(
        [complaint.resident],
        complaint,
        Notice.Kind.COMPLAINT_INFO_REQUESTED,
        event,
        for_handler=False,
    )
    return event


@transaction.atomic
def complaint_add_info(
    *, complaint: Complaint, user, text: str, photos=(), now=None
) -> ComplaintEvent:
    """The resident adds information (and up to three photos). If the handler was waiting
    for it, the clocks resume: the time waited is added to both due times."""
    now = now or timezone.now()
    text = _text(text)
    photos = photos_clean(photos, max_count=COMPLAINT_PHOTOS_MAX)
    if complaint.resident_id != user.pk:
        raise NotAllowed(_("This is not your complaint."))
    if not complaint.is_open:
        raise NotAllowed(_("This complaint is no longer open."))
    if complaint.status == Status.WAITING:
        waited = now - complaint.paused_at
        _move(
            complaint,
            Status.WAITING,
            status=Status.IN_PROGRESS,
            paused_at=None,
            response_due=F("response_due") + waited,
            resolution_due=F("resolution_due") + waited,
        )
        complaint.refresh_from_db()
    event = _event(complaint, Event.INFO_ADDED, by=user, text=text, now=now)
    _photos(complaint, event, photos)
    _tell(
        handlers_of(complaint), complaint, Notice.Kind.COMPLAINT_INFO_ADDED, event, for_handler=True
    )
    return event


@transaction.atomic
def complaint_mark_complex(*, complaint: Complaint, user, reason: str, now=None) -> ComplaintEvent:
    """A handler marks the case complex, with ``reason``: its resolution time becomes 15 days
    from filing (plus any time paused). Once only."""
    now = now or timezone.now()
    reason = _text(reason)[:300]
    _require_handler(complaint, user)
    if complaint.is_complex or not complaint.is_open:
        raise NotAllowed(_("This complaint cannot be marked complex now."))
    extra = resolution_time(complaint.category, is_complex=True) - resolution_time(
        complaint.category
    )
    _move(
        complaint,
        complaint.status,
        is_complex=True,
        complex_reason=reason,
        resolution_due=F("resolution_due") + extra,
    )
    complaint.refresh_from_db()
    return _event(complaint, Event.COMPLEX, by=user, text=reason, now=now)


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, user, text: str, now=None) -> ComplaintEvent:
    """A handler resolves it, saying how; the resident is asked whether they are satisfied."""
    now = now or timezone.now()
    text = _text(text)
    _require_handler(complaint, user)
    if complaint.status not in (Status.OPEN, Status.IN_PROGRESS):
        raise NotAllowed(_("This complaint cannot be resolved now."))
    _move(
        complaint,
        complaint.status,
        status=Status.RESOLVED,
        resolved_at=now,
        responded_at=complaint.responded_at or now,
    )
    event = _event(complaint, Event.RESOLVED, by=user, text=text, now=now)
    _tell([complaint.resident], complaint, Notice.Kind.COMPLAINT_RESOLVED, event, for_handler=False)
    return event


@transaction.atomic
def complaint_rate(*, complaint: Complaint, user, satisfaction: str, text="", now=None):
    """The resident answers satisfied / basically satisfied / dissatisfied; status → closed.
    Staff may record a hotline caller's answer (the complaint has no resident)."""
    now = now or timezone.now()
    _choice(satisfaction, Complaint.Satisfaction, _("Choose how satisfied you are."))
    text = _text(text, required=False)
    if complaint.resident_id is not None and complaint.resident_id != user.pk:
        raise NotAllowed(_("This is not your complaint."))
    if complaint.resident_id is None and not is_enterprise_staff_of(user, complaint):
        raise NotAllowed(_("This is not your complaint."))
    if complaint.status != Status.RESOLVED:
        raise NotAllowed(_("You can answer once the complaint is resolved."))
    _move(complaint, Status.RESOLVED, status=Status.CLOSED, satisfaction=satisfaction)
    # The satisfaction is a code (shown translated: ComplaintEvent.display_label); the text
    # is only the resident's own words.
    return _event(
        complaint,
        Event.RATED,
        by=user,
        text=text,
        now=now,
        satisfaction=satisfaction,
    )


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, user, text: str, now=None) -> ComplaintEvent:
    """A dissatisfied resident reopens it (once, ``REOPEN_MAX``): a new resolution clock runs
    from now; the handlers are told."""
    now = now or timezone.now()
    text = _text(text)
    if complaint.resident_id != user.pk:
        raise NotAllowed(_("This is not your complaint."))
    if complaint.reopened and complaint.status == Status.CLOSED:
        raise Conflict(_("A complaint can be reopened only once."))
    if not complaint.can_reopen:
        raise NotAllowed(_("Only a complaint you were dissatisfied with can be reopened."))
    _move(
        complaint,
        Status.CLOSED,
        status=Status.IN_PROGRESS,
        reopened=F("reopened") + 1,
        resolved_at=None,
        satisfaction="",
        resolution_due=now + resolution_time(complaint.category, is_complex=complaint.is_complex),
    )
    complaint.refresh_from_db()
    event = _event(complaint, Event.REOPENED, by=user, text=text, now=now)
    _tell(
        handlers_of(complaint), complaint, Notice.Kind.COMPLAINT_REOPENED, event, for_handler=True
    )
    return event


@transaction.atomic
def complaint_attach_event(
    *, complaint: Complaint, user, appointment_event: AppointmentEvent, now=None
) -> ComplaintEvent:
    """Attach an event of the complaint's appointment as evidence (its resident or a
    handler). Raises ``NotAllowed`` for an event of another appointment."""
    now = now or timezone.now()
    if complaint.resident_id != user.pk:
        _require_handler(complaint, user)
    if (
        complaint.appointment_id is None
        or appointment_event.appointment_id != complaint.appointment_id
    ):
        raise NotAllowed(_("Only events of this complaint's appointment can be attached."))
    # Shown from the linked event in the reader's language (ComplaintEvent.display_label).
    return _event(
        complaint,
        Event.EVIDENCE,
        by=user,
        now=now,
        appointment_event=appointment_event,
    )


@transaction.atomic
def complaint_attach_message(
    *, complaint: Complaint, user, message: AppointmentMessage, now=None
) -> ComplaintEvent:
    """Attach a message of the complaint's appointment's conversation as evidence (its
    resident or a handler): an ``evidence`` step quoting its time (local), the author's side
    (never a name or phone) and its text. Raises ``NotAllowed`` for a message of another
    appointment; nothing is written."""
    now = now or timezone.now()
    if complaint.resident_id != user.pk:
        _require_handler(complaint, user)
    if complaint.appointment_id is None or message.appointment_id != complaint.appointment_id:
        raise NotAllowed(_("Only messages of this complaint's appointment can be attached."))
    # Shown from the linked message (ComplaintEvent.display_label, people_text).
    return _event(complaint, Event.EVIDENCE, by=user, now=now, appointment_message=message)


def complaints_escalate_due(*, now=None) -> int:
    """Beat: escalate every complaint whose running clock is breached; returns how many moved.

    Level 0 → 1 when either clock is overrun: the enterprise's staff (its manager) are told.
    Level 1 → 2 when still unresolved ``STREET_OFFICE_AFTER`` after that: flagged for the
    street office; the enterprise and the resident are told. Each step is claimed with a
    conditional UPDATE on the level read, so two beat runs never escalate (or tell) twice.
    A paused complaint (waiting for the resident) is not escalated.
    """
    now = now or timezone.now()
    moved = 0
    candidates = Complaint.objects.filter(
        status__in=(Status.OPEN, Status.IN_PROGRESS), paused_at__isnull=True, escalation_level__lt=2
    ).select_related("enterprise", "provider")
    for complaint in candidates.iterator():
        late = breached(complaint, now)
        if not late:
            continue
        level = complaint.escalation_level
        if level == 1 and now < complaint.escalated_at + STREET_OFFICE_AFTER:
            continue
        moved += _escalate(complaint, level, late, now)
    return moved


@transaction.atomic
def _escalate(complaint: Complaint, level: int, late: list[str], now) -> int:
    claimed = Complaint.objects.filter(pk=complaint.pk, escalation_level=level).update(
        escalation_level=level + 1, escalated_at=now
    )
    if not claimed:
        return 0
    complaint.escalation_level = level + 1
    if level == 0:
        for clock in late:  # /metrics: linli_clock_breaches_total{kind="complaint", clock=...}
            metrics.CLOCK_BREACHES.labels(kind="complaint", clock=clock).inc()
        # Stored untranslated, translated when shown (ComplaintEvent.display_label).
        what = (
            gettext_noop(
                "The first-response clock was overrun: escalated to the enterprise's manager."
            )
            if "response" in late
            else gettext_noop(
                "The resolution clock was overrun: escalated to the enterprise's manager."
            )
        )
        kind = Notice.Kind.COMPLAINT_OVERDUE
        people = list(complaint.enterprise.staff.all()) + handlers_of(complaint)
    else:
        what = gettext_noop("Still unresolved after escalation: flagged for the street office.")
        kind = Notice.Kind.COMPLAINT_FLAGGED
        people = list(complaint.enterprise.staff.all())
    event = _event(complaint, Event.ESCALATED, text=what, now=now)
    _tell(people, complaint, kind, event, for_handler=True)
    if complaint.resident_id:
        _tell(
            [complaint.resident],
            complaint,
            Notice.Kind.COMPLAINT_ESCALATED,
            event,
            for_handler=False,
        )
    return 1
