"""A repair request's life: report, desk entry, the worker's steps, confirm, reopen, cancel.

Every status move goes through ``request_transition`` (one row per move, ``RepairEvent``);
what a move triggers (dispatch, notices, capture, the board's figures) is called from here.

**The lock order** (``repairs.locking``): the request's row first, then the workers' rows in one
sorted ``FOR NO KEY UPDATE`` (``bookings.appointments.locking.lock_workers``). A repair
transaction never locks an appointment, and a booking never locks a repair request, so the two
orders never cross.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from marketplace.models import Household
from repairs import locking
from repairs.board import policy_for
from repairs.dispatch import dispatch_on_commit, offers_withdraw
from repairs.errors import RepairConflict, RepairError
from repairs.models import RepairEvent, RepairPhoto, RepairRequest
from repairs.notices import Kind, repair_notify
from repairs.photos import photo_clean
from repairs.policy import PHOTOS_MAX
from repairs.quotes import live_quote, quote_capture_on_commit
from repairs.transitions import figures_changed, request_transition
from repairs.urgency import urgent_by_rule

Status = RepairRequest.Status
Area = RepairRequest.Area
Urgency = RepairRequest.Urgency


def _due_times(enterprise, urgency: str, start):
    take, arrive = policy_for(enterprise).minutes(urgency)
    return start + timedelta(minutes=take), start + timedelta(minutes=arrive)


def _save_photos(request: RepairRequest, photos, kind: str) -> None:
    photos = [p for p in photos if p]
    if len(photos) > PHOTOS_MAX:
        raise RepairError(_("At most %(n)d photos, please.") % {"n": PHOTOS_MAX})
    cleaned = [photo_clean(p) for p in photos]  # every photo checked before anything is stored
    for content in cleaned:
        RepairPhoto.objects.create(request=request, kind=kind, image=content)


def _create(
    *,
    community,
    area,
    household,
    location,
    category,
    description,
    urgent,
    source,
    hotline_ticket,
    resident,
    entered_by,
    contact_name,
    contact_phone,
    photos,
):
    if area == Area.COMMON and not location.strip():
        raise RepairError(_("Please say where in the community the repair is needed."))
    if category not in RepairRequest.Category.values:
        raise RepairError(_("Please choose a category."))
    if not description.strip():
        raise RepairError(_("Please describe what is wrong."))
    by_rule = urgent_by_rule(category=category, description=description)
    urgency = Urgency.URGENT if (by_rule or urgent) else Urgency.NORMAL
    now = timezone.now()
    take_due, arrive_due = _due_times(community.enterprise, urgency, now)
    request = RepairRequest.objects.create(
        community=community,
        area=area,
        household=household if area == Area.HOME else None,
        location=location.strip() if area == Area.COMMON else "",
        category=category,
        description=description.strip(),
        urgency=urgency,
        urgency_by_rule=by_rule,
        source=source,
        hotline_ticket=hotline_ticket,
        resident=resident,
        entered_by=entered_by,
        contact_name=contact_name,
        contact_phone=contact_phone,
        reported_at=now,
        take_due=take_due,
        arrive_due=arrive_due,
    )
    RepairEvent.objects.create(request=request, to_status=Status.REPORTED, by=entered_by)
    _save_photos(request, photos, RepairPhoto.Kind.REPORT)
    dispatch_on_commit(request.pk)
    figures_changed()
    return request


@transaction.atomic
def request_report(
    *,
    user,
    area: str,
    household: Household | None,
    location: str = "",
    category: str,
    description: str,
    urgent: bool = False,
    photos=(),
) -> RepairRequest:
    """A resident reports a repair for their own home or a common area of their community.

    ``household`` must be the user's own (for a common area: the home whose community it is).
    Urgency is urgent when the rules say so (``repairs.urgency``) or the resident asks; it is
    never lowered below the rule. Photos: up to 3, checked and re-encoded
    (``repairs.photos``). Raises ``RepairError`` (400) with nothing written. The request is
    offered to the enterprise's maintenance workers once the transaction commits.
    """
    if household is None or household.user_id != user.pk:
        raise RepairError(_("Please choose one of your homes."))
    if area not in Area.values:
        raise RepairError(_("Please say whether the repair is in your home or a common area."))
    return _create(
        community=household.community,
        area=area,
        household=household,
        location=location,
        category=category,
        description=description,
        urgent=urgent,
        source=RepairRequest.Source.APP,
        hotline_ticket="",
        resident=user,
        entered_by=user,
        contact_name=household.contact_name,
        contact_phone=household.contact_phone,
        photos=photos,
    )


@transaction.atomic
def request_enter(
    *,
    staff,
    community,
    source: str,
    area: str,
    household: Household | None,
    location: str = "",
    category: str,
    description: str,
    urgent: bool = False,
    contact_name: str,
    contact_phone: str,
    hotline_ticket: str = "",
    photos=(),
) -> RepairRequest:
    """The enterprise's desk enters a request taken by phone, at the desk or from a 12345
    ticket (``source``: phone, desk, hotline; a hotline request needs its ticket number).

    ``community`` must be one of ``staff``'s enterprise's (checked by the view's access
    helper); ``household`` (for a home repair) must be in ``community``. Raises
    ``RepairError`` (400), nothing written.
    """
    if source not in (
        RepairRequest.Source.PHONE,
        RepairRequest.Source.DESK,
        RepairRequest.Source.HOTLINE,
    ):
        raise RepairError(_("Please say how the request came in."))
    hotline_ticket = (hotline_ticket or "").strip()
    if source == RepairRequest.Source.HOTLINE and not hotline_ticket:
        raise RepairError(_("Please enter the 12345 ticket number."))
    if source != RepairRequest.Source.HOTLINE:
        hotline_ticket = ""
    if area == Area.HOME and (household is None or household.community_id != community.pk):
        raise RepairError(_("No such home in this community."))
    if not contact_name.strip() or not contact_phone.strip():
        raise RepairError(_("Please enter the contact's name and telephone."))
    return _create(
        community=community,
        area=area,
        household=household,
        location=location,
        category=category,
        description=description,
        urgent=urgent,
        source=source,
        hotline_ticket=hotline_ticket,
        resident=household.user if household is not None and area == Area.HOME else None,
        entered_by=staff,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        photos=photos,
    )


def _worker_step(request_id: int, worker, to: str, **fields) -> RepairRequest:
    request = locking.lock_request(request_id)
    if request.worker_id != worker.pk:
        raise RepairConflict(_("This repair is not yours any more."))
    return request_transition(request=request, to=to, by=worker.user, **fields)


@transaction.atomic
def request_on_the_way(*, request_id: int, worker) -> RepairRequest:
    """The worker sets out. Raises ``RepairConflict`` (409) if not theirs or not accepted."""
    request = _worker_step(request_id, worker, Status.ON_THE_WAY)
    repair_notify(
        [request.resident],
        request,
        Kind.REPAIR_ON_THE_WAY,
        role="resident",
        key=f"repair_on_the_way:{request.pk}:{request.events.latest('pk').pk}",
    )
    return request


@transaction.atomic
def request_check_in(*, request_id: int, worker) -> RepairRequest:
    """The worker is on site: the arrival clock stops (``arrived_at``)."""
    request = _worker_step(request_id, worker, Status.ON_SITE, arrived_at=timezone.now())
    figures_changed()
    return request


@transaction.atomic
def request_complete(*, request_id: int, worker, notes: str, photos=()) -> RepairRequest:
    """The worker is done, with notes and up to 3 after-photos. An in-home repair with a quote
    needs that quote approved (authorised) first; its payment is captured after commit
    (``repairs.quotes.quote_capture``; beat retries a capture that failed). Raises
    ``RepairConflict`` (409) or ``RepairError`` (400), nothing written."""
    request = locking.lock_request(request_id)
    if request.worker_id != worker.pk:
        raise RepairConflict(_("This repair is not yours any more."))
    quote = live_quote(request)
    if quote is not None and quote.status != quote.Status.APPROVED:
        raise RepairConflict(_("The resident has not approved the quote yet."))
    if not (notes or "").strip():
        raise RepairError(_("Please write what was done."))
    request_transition(
        request=request,
        to=Status.COMPLETED,
        by=worker.user,
        completed_at=timezone.now(),
        completion_notes=notes.strip(),
    )
    _save_photos(request, photos, RepairPhoto.Kind.AFTER)
    if quote is not None:
        quote_capture_on_commit(quote.pk)
    repair_notify(
        [request.resident],
        request,
        Kind.REPAIR_DONE,
        role="resident",
        key=f"repair_done:{request.pk}:{request.events.latest('pk').pk}",
    )
    return request


@transaction.atomic
def request_confirm(*, request_id: int, user) -> RepairRequest:
    """The resident confirms the completed repair: closed."""
    request = locking.lock_request(request_id)
    return request_transition(
        request=request, to=Status.CONFIRMED, by=user, closed_at=timezone.now()
    )


@transaction.atomic
def request_reopen(*, request_id: int, user, reason: str) -> RepairRequest:
    """The resident reopens a completed repair (with a reason): back to dispatch, with fresh
    clocks from now (a clock never silently stops). The first worker is offered it again
    among the others."""
    reason = (reason or "").strip()
    if not reason:
        raise RepairError(_("Please say what is still wrong."))
    request = locking.lock_request(request_id)
    now = timezone.now()
    take_due, arrive_due = _due_times(request.community.enterprise, request.urgency, now)
    request_transition(
        request=request,
        to=Status.REPORTED,
        by=user,
        note=reason[:300],
        worker=None,
        reported_at=now,
        take_due=take_due,
        arrive_due=arrive_due,
        taken_at=None,
        arrived_at=None,
        completed_at=None,
        take_escalated_at=None,
        arrive_escalated_at=None,
        no_worker_escalated_at=None,
        reopen_count=request.reopen_count + 1,
    )
    dispatch_on_commit(request.pk)
    figures_changed()
    return request


@transaction.atomic
def request_cancel(*, request_id: int, user, reason: str = "") -> RepairRequest:
    """The resident (before anyone is on site) or the desk cancels: open offers withdrawn."""
    request = locking.lock_request(request_id)
    request_transition(
        request=request, to=Status.CANCELLED, by=user, note=reason[:300], closed_at=timezone.now()
    )
    offers_withdraw(request)
    figures_changed()
    return request


@transaction.atomic
def request_fund_disclose(*, request_id: int, staff, amount) -> RepairRequest:
    """The desk records that a completed common-area repair was paid from the special
    maintenance fund (``amount``, yuan ``Decimal`` > 0); the board lists it from then on.

    Once only: a recorded use is never silently changed. Raises ``RepairError`` (400: not a
    common area, not an amount) or ``RepairConflict`` (409: not completed yet, or recorded).
    """
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise RepairError(_("Please enter the amount in yuan.")) from None
    if not Decimal("0") < amount < Decimal("100000000"):
        raise RepairError(_("Please enter the amount in yuan."))
    request = locking.lock_request(request_id)
    if request.area != Area.COMMON:
        raise RepairError(_("Only common-area repairs are paid from the maintenance fund."))
    if request.status not in (Status.COMPLETED, Status.CONFIRMED):
        raise RepairConflict(_("A fund use is disclosed after the work is done."))
    if request.fund_amount is not None:
        raise RepairConflict(_("This fund use has already been disclosed."))
    request.fund_amount = amount
    request.fund_disclosed_at = timezone.now()
    request.save(update_fields=["fund_amount", "fund_disclosed_at"])
    RepairEvent.objects.create(
        request=request,
        from_status=request.status,
        to_status=request.status,
        by=staff,
        note=gettext_noop("Paid from the maintenance fund: %(amount)s"),
        note_params={"amount": str(amount)},
    )
    figures_changed()
    return request
