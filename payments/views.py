"""Thin views: authorise, validate, call one service, redirect or render."""

from __future__ import annotations

import logging
from decimal import Decimal

import stripe
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oscar.apps.dashboard.nav import default_access_fn
from oscar.apps.payment.exceptions import PaymentError
from oscar.apps.payment.models import Source
from oscar.views.decorators import permissions_required

from marketplace.ratelimits import rate_limited
from marketplace.staff import ORDER_ENTERPRISE, scope_to_staff
from payments import stripe_client as sc
from payments.cards import (
    card_attach_from_setup_intent,
    card_remove,
    card_set_default,
    card_setup_intent_create,
)
from payments.models import PaymentIntentRecord, SavedCard
from payments.services import payment_refund, payment_sync
from payments.webhooks import BadSignature, verify_event, webhook_event_process

logger = logging.getLogger("linli.payments")


def _own_card(request, pk: int) -> SavedCard:
    """A card of the logged-in resident (404 for anyone else's)."""
    return get_object_or_404(SavedCard, pk=pk, user=request.user)


def _own_intent(request, pk: int) -> PaymentIntentRecord:
    return get_object_or_404(PaymentIntentRecord, pk=pk, user=request.user)


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- saved cards ------------------------------------------------------------------------------


@login_required
def card_list(request):
    """The resident's saved cards and the card element to add one."""
    cards = SavedCard.objects.filter(user=request.user)
    return render(
        request,
        "payments/card_list.html",
        {
            "cards": cards,
            "page_title": _("Saved cards"),
            "stripe_js_url": sc.stripe_js_url(),
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        },
    )


@login_required
@rate_limited("card_setup")
@require_POST
def card_setup(request):
    """JSON for the card element: a fresh SetupIntent's client secret."""
    try:
        setup = card_setup_intent_create(user=request.user)
    except PaymentError as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    return JsonResponse({"client_secret": setup["client_secret"]})


@login_required
@require_POST
def card_add(request):
    """Save the card of the SetupIntent the browser confirmed (``setup_intent`` in POST)."""
    setup_intent_id = request.POST.get("setup_intent", "")
    if not setup_intent_id.startswith("seti_"):
        messages.error(request, _("The card could not be saved. Please try again."))
        return redirect("payments:cards")
    try:
        card = card_attach_from_setup_intent(user=request.user, setup_intent_id=setup_intent_id)
    except PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Card %(card)s saved.") % {"card": card})
    return redirect("payments:cards")


@login_required
@require_POST
def card_make_default(request, pk: int):
    """Make one of the resident's cards the default for one-click bookings."""
    card = card_set_default(user=request.user, card=_own_card(request, pk))
    messages.success(request, _("%(card)s is now your default card.") % {"card": card})
    return redirect("payments:cards")


@login_required
@require_POST
def card_delete(request, pk: int):
    """Remove one of the resident's cards (detached at Stripe)."""
    card = _own_card(request, pk)
    try:
        card_remove(user=request.user, card=card)
    except PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Card %(card)s removed.") % {"card": card})
    return redirect("payments:cards")


# --- 3-D Secure -------------------------------------------------------------------------------


@login_required
def intent_authenticate(request, pk: int):
    """The resident confirms a payment their bank wants to check (``requires_action``)."""
    intent = _own_intent(request, pk)
    next_url = _safe_next(request, "/shop/accounts/")
    if request.method == "POST":
        try:
            intent = payment_sync(intent=intent)
        except PaymentError as exc:
            messages.error(request, str(exc))
            return redirect(request.path + f"?next={next_url}")
        if intent.status == PaymentIntentRecord.Status.AUTHORISED:
            messages.success(
                request,
                _("¥%(amount)s authorised on your card.") % {"amount": intent.amount_authorised},
            )
        else:
            messages.error(request, _("The payment was not authorised. Nothing was charged."))
        return redirect(next_url)
    return render(
        request,
        "payments/authenticate.html",
        {
            "intent": intent,
            "next": next_url,
            "page_title": _("Confirm your payment"),
            "stripe_js_url": sc.stripe_js_url(),
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        },
    )


# --- webhooks ---------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's webhook endpoint: 400 on a bad signature, 503 to make Stripe retry, else 200.

    https://docs.stripe.com/webhooks (Stripe retries any non-2xx answer).
    """
    try:
        event = verify_event(request.body, request.headers.get("Stripe-Signature", ""))
    except BadSignature as exc:
        logger.warning("stripe webhook with a bad signature: %s", exc)
        return HttpResponse(status=400)
    try:
        outcome = webhook_event_process(event=event)
    except OperationalError:
        # A lock timeout (or a busy SQLite file): Stripe retries later.
        return HttpResponse(status=503)
    except stripe.StripeError:
        return HttpResponse(status=503)
    return JsonResponse({"received": True, "outcome": outcome})


# --- staff: payments of an order and refunds (linked from the dashboard's order page) ---------

#: Seeing card payments, and refunding one: Django permissions (``marketplace.staff`` scopes
#: what each user sees to their own enterprises).
VIEW_PAYMENTS = "payments.view_paymentintentrecord"
REFUND_PAYMENT = "payments.refund_payment"

staff_can_view_payments = permissions_required([VIEW_PAYMENTS], login_url=settings.LOGIN_URL)


class RefundForm(forms.Form):
    """Staff refund: amount (yuan), the reason (required, kept on the Refund row with the
    staff member), and the hidden idempotency key of this form."""

    amount = forms.DecimalField(
        label=_("Amount (¥)"), min_value=Decimal("0.01"), decimal_places=2, max_digits=12
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, strip=True)
    key = forms.CharField(widget=forms.HiddenInput, max_length=128)


def _staff_payment_for(request, pk: int) -> PaymentIntentRecord:
    """A card payment inside the staff member's enterprises (``Http404`` for any other, so
    we never confirm that another enterprise's payment exists)."""
    intents = scope_to_staff(
        PaymentIntentRecord.objects.select_related("order", "user"),
        request.user,
        f"order__{ORDER_ENTERPRISE}",
    )
    return get_object_or_404(intents, pk=pk)


@staff_can_view_payments
def staff_payment_detail(request, pk: int):
    """Staff: one card payment, its Oscar Source and Transactions, and a refund form.

    GET needs ``payments.view_paymentintentrecord``; a refund (POST) also needs
    ``payments.refund_payment`` (403 otherwise, nothing refunded). Only payments of the staff
    member's own enterprises are found (404).
    """
    intent = _staff_payment_for(request, pk)
    can_refund = request.user.has_perm(REFUND_PAYMENT)
    if request.method == "POST" and not can_refund:
        raise PermissionDenied
    initial = {
        "amount": intent.refundable,
        "key": f"staff-{intent.pk}-{request.user.pk}-{intent.refunds.count() + 1}",
    }
    form = RefundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            refund = payment_refund(
                intent=intent,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["key"],
                created_by=request.user,
            )
        except PaymentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("¥%(amount)s refunded.") % {"amount": refund.amount})
            return redirect("payments:staff-payment", pk=intent.pk)
    return render(
        request,
        "payments/staff_payment.html",
        {
            "intent": intent,
            "form": form,
            "can_refund": can_refund,
            "can_view_order": default_access_fn(
                request.user, "dashboard:order-detail", url_kwargs={"number": intent.order.number}
            ),
            "refunds": intent.refunds.select_related("created_by"),
            "sources": Source.objects.filter(order=intent.order).prefetch_related("transactions"),
            "page_title": _("Card payment %(ref)s") % {"ref": intent.stripe_id or intent.pk},
        },
    )


@staff_can_view_payments
def staff_payment_list(request):
    """Staff: the latest 200 card payments of the staff member's own enterprises."""
    intents = scope_to_staff(
        PaymentIntentRecord.objects.select_related("order", "user"),
        request.user,
        f"order__{ORDER_ENTERPRISE}",
    )[:200]
    return render(
        request,
        "payments/staff_payment_list.html",
        {
            "intents": intents,
            "page_title": _("Card payments"),
        },
    )
