"""Who pays for a repair: the worker's quote, the resident's approval, authorise, capture.

Common-area repairs cost the resident nothing (no quote). An in-home repair's labour is charged
only at a repair fee item of the community's **published** board (``repairs.board``), at
exactly its price; materials at cost, itemised. Nothing is charged without the resident's
approval: approving authorises the card (``payments.services.payment_authorise``, a
manual-capture PaymentIntent, exactly as a booking is), and completing the repair captures it
(``payment_capture``). A quote never changes: a new proposal supersedes the old one (an
approved one's authorisation is voided), and approving a superseded quote is refused (409).

Money: ``Decimal`` yuan throughout; fen only at Stripe's edge (``payments``). Each approved
quote has its own lean Oscar order (number "R…", no lines), the order the payment records
hang on, so Oscar's dashboard and the payment pages show it like any other.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal, InvalidOperation

from celery import current_app
from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.order.models import Order

from bookings.dispatch.outbox import kick
from payments import signals
from payments.exceptions import PaymentError, PaymentInProgress
from payments.models import PaymentIntentRecord
from payments.services import payment_authorise, payment_capture, payment_for_order, payment_void
from repairs import locking
from repairs.board import published_repair_items
from repairs.errors import QuoteLineNotOnBoard, RepairConflict, RepairError, RepairPaymentRefused
from repairs.models import RepairQuote, RepairQuoteLine, RepairRequest
from repairs.notices import Kind, repair_notify

log = logging.getLogger("linli.repairs")
QStatus = RepairQuote.Status
IntentStatus = PaymentIntentRecord.Status
CENT = Decimal("0.01")
MAX_QUANTITY = 99
CAPTURE_TASK = "repairs.tasks.repair_capture"


def live_quote(request: RepairRequest) -> RepairQuote | None:
    """The request's quote waiting for approval or approved (at most one), else None."""
    return request.quotes.filter(status__in=(QStatus.PROPOSED, QStatus.APPROVED)).first()


def _quantity(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= MAX_QUANTITY:
        raise RepairError(
            _("A quantity must be a whole number from 1 to %(n)d.") % {"n": MAX_QUANTITY}
        )
    return n


def _price(value) -> Decimal:
    try:
        price = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        raise RepairError(_("A material's price must be an amount in yuan.")) from None
    if price < 0 or price > Decimal("100000"):
        raise RepairError(_("A material's price must be an amount in yuan."))
    return price


@transaction.atomic
def quote_propose(*, request_id: int, worker, labour, materials=()) -> RepairQuote:
    """The worker on site proposes a quote for an in-home repair.

    ``labour``: ``[(board item code, quantity)]``, each code a repair fee item of the live
    board (its published price is used); ``materials``: ``[(name, unit price in yuan, quantity)]``
    at cost. A live quote is superseded (an approved one's authorisation is voided after
    commit). Raises ``QuoteLineNotOnBoard`` (400) for a code not on the published board,
    ``RepairError`` (400) for other bad lines or a common-area repair, ``RepairConflict`` (409)
    when the request is not the worker's or not on site. Nothing is written on error.
    """
    request = locking.lock_request(request_id)
    if request.worker_id != worker.pk or request.status != RepairRequest.Status.ON_SITE:
        raise RepairConflict(_("A quote can be made only on site, by the worker doing the repair."))
    if request.area != RepairRequest.Area.HOME:
        raise RepairError(_("Common-area repairs cost the resident nothing: no quote."))
    revision_id, items = published_repair_items(request.community)
    lines = []
    for code, quantity in labour:
        item = items.get(code)
        if item is None:
            raise QuoteLineNotOnBoard(
                _("“%(code)s” is not a repair fee item of this community's published board.")
                % {"code": code}
            )
        n = _quantity(quantity)
        lines.append(
            RepairQuoteLine(
                kind=RepairQuoteLine.Kind.LABOUR,
                code=item.code,
                name=item.name,
                unit=item.unit,
                unit_price=item.amount,
                quantity=n,
                amount=(item.amount * n).quantize(CENT),
            )
        )
    for name, unit_price, quantity in materials:
        name = (name or "").strip()[:200]
        if not name:
            raise RepairError(_("Please name each material."))
        price, n = _price(unit_price), _quantity(quantity)
        lines.append(
            RepairQuoteLine(
                kind=RepairQuoteLine.Kind.MATERIAL,
                name=name,
                unit_price=price,
                quantity=n,
                amount=(price * n).quantize(CENT),
            )
        )
    if not lines:
        raise RepairError(_("A quote needs at least one line."))
    labour_total = sum((ln.amount for ln in lines if ln.kind == "labour"), Decimal("0.00"))
    materials_total = sum((ln.amount for ln in lines if ln.kind == "material"), Decimal("0.00"))
    old = live_quote(request)
    if old is not None:
        RepairQuote.objects.filter(pk=old.pk).update(status=QStatus.SUPERSEDED)
        if old.status == QStatus.APPROVED:
            transaction.on_commit(lambda: _void_quietly(old.pk))
    quote = RepairQuote.objects.create(
        request=request,
        board_revision_id=revision_id,
        labour_total=labour_total,
        materials_total=materials_total,
        total=labour_total + materials_total,
        proposed_by=worker.user,
    )
    for line in lines:
        line.quote = quote
    RepairQuoteLine.objects.bulk_create(lines)
    repair_notify(
        [request.resident],
        request,
        Kind.REPAIR_QUOTED,
        role="resident",
        key=f"repair_quoted:{quote.pk}",
    )
    return quote


def _order_for(quote: RepairQuote, user) -> Order:
    if quote.order_id:
        return quote.order
    order = Order.objects.create(
        number=f"R{timezone.localdate():%y%m%d}{secrets.randbelow(10**12):012d}",
        site=Site.objects.get_current(),
        user=user,
        currency=settings.OSCAR_DEFAULT_CURRENCY,
        total_incl_tax=quote.total,
        total_excl_tax=quote.total,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        status=settings.OSCAR_INITIAL_ORDER_STATUS,
    )
    quote.order = order
    quote.save(update_fields=["order"])
    return order


@transaction.atomic
def _claim_approval(quote_id: int, user) -> RepairQuote:
    quote = RepairQuote.objects.filter(pk=quote_id).only("request_id").first()
    if quote is None:
        raise RepairConflict(_("This quote no longer exists."))
    request = locking.lock_request(quote.request_id)
    if request.resident_id != user.pk:
        raise RepairConflict(_("This quote is not yours to approve."))
    current = live_quote(request)
    if current is None or current.pk != quote_id or current.status != QStatus.PROPOSED:
        raise RepairConflict(
            _("The quote has changed since you opened it: please look at the new one.")
        )
    if request.status not in RepairRequest.WORKING:
        raise RepairConflict(_("This repair can no longer be quoted."))
    _order_for(current, user)
    return current


@transaction.atomic
def _mark_approved(quote_id: int) -> bool:
    quote = RepairQuote.objects.filter(pk=quote_id).only("request_id").first()
    locking.lock_request(quote.request_id)
    return bool(
        RepairQuote.objects.filter(pk=quote_id, status=QStatus.PROPOSED).update(
            status=QStatus.APPROVED, approved_at=timezone.now()
        )
    )


def quote_approve(*, quote_id: int, user) -> PaymentIntentRecord:
    """The resident approves the quote: its total (yuan) is authorised on their saved card.

    Three steps, no lock across Stripe: (1) under the request's lock, check the quote is still
    the live, waiting one and write its order; (2) authorise off-session (idempotency key
    ``repair-quote:<id>``: a double click authorises once); (3) under the lock again, mark it
    approved — if it was superseded meanwhile, the authorisation is voided and 409 raised.
    Returns the intent: AUTHORISED, or REQUIRES_ACTION (3-D Secure; the approval then
    completes on ``payments.signals.payment_authorised``). Raises ``RepairConflict`` (409),
    ``RepairPaymentRefused`` (402: declined, no saved card; nothing held, still waiting).
    """
    quote = _claim_approval(quote_id, user)
    try:
        intent = payment_authorise(
            order=quote.order,
            user=user,
            amount=quote.total,
            idempotency_key=f"repair-quote:{quote.pk}",
        )
    except PaymentInProgress:
        raise RepairConflict(_("Your approval is being processed.")) from None
    except PaymentError as exc:
        raise RepairPaymentRefused(str(exc)) from exc
    if intent.status == IntentStatus.AUTHORISED and not _mark_approved(quote.pk):
        _void_quietly(quote.pk)
        raise RepairConflict(
            _("The quote has changed since you opened it: please look at the new one.")
        )
    return intent


@receiver(signals.payment_authorised, dispatch_uid="repairs-approve-on-authorised")
def _approve_after_authentication(sender, intent, **kwargs):
    """A quote whose card needed 3-D Secure is approved when the authorisation arrives."""
    quote = RepairQuote.objects.filter(order_id=intent.order_id, status=QStatus.PROPOSED).first()
    if quote is not None and not _mark_approved(quote.pk):
        _void_quietly(quote.pk)


def _void_quietly(quote_id: int) -> None:
    quote = RepairQuote.objects.select_related("order").get(pk=quote_id)
    intent = payment_for_order(quote.order) if quote.order_id else None
    if intent is not None and intent.status in (
        IntentStatus.AUTHORISED,
        IntentStatus.REQUIRES_ACTION,
    ):
        try:
            payment_void(intent=intent)
        except PaymentError:
            log.warning("could not void the payment of superseded repair quote %s", quote_id)


def quote_capture_on_commit(quote_id: int) -> None:
    """Capture the approved quote once the completion commits (beat retries a failure)."""
    transaction.on_commit(lambda: kick(current_app.tasks[CAPTURE_TASK], quote_id))


def quote_capture(*, quote_id: int) -> PaymentIntentRecord | None:
    """Capture the approved quote's authorisation in full (the repair is done). Returns the
    intent, or None when there is nothing to capture. Safe to call again (payments claims)."""
    quote = RepairQuote.objects.select_related("order", "request").get(pk=quote_id)
    if quote.status != QStatus.APPROVED or quote.request.completed_at is None:
        return None
    intent = payment_for_order(quote.order)
    if intent is None or intent.status != IntentStatus.AUTHORISED:
        return intent
    return payment_capture(intent=intent)


def quotes_capture_finished(*, limit: int = 100) -> int:
    """Beat: approved quotes of completed repairs still only authorised are captured."""
    ids = list(
        RepairQuote.objects.filter(
            status=QStatus.APPROVED,
            request__completed_at__isnull=False,
            order__stripe_intents__status=IntentStatus.AUTHORISED,
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        try:
            quote_capture(quote_id=pk)
        except PaymentError:
            log.warning("capture of repair quote %s failed; retried by beat", pk)
    return len(ids)
