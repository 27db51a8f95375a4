"""Card payments: authorise at booking, capture on completion, void, refund, reconcile.

The pattern of every money move:

1. a short transaction claims the move in our database (a row under a UNIQUE idempotency key,
   or a ``pending_action`` set under the intent's row lock), so a double click or a retried task
   finds it claimed and never calls Stripe a second time;
2. the Stripe call, outside any transaction (never hold a lock across the network), with an
   Idempotency-Key header for real Stripe as well;
3. a short transaction applies Stripe's answer through ``sync.apply_stripe_state``, the same
   monotonic, idempotent function the webhooks and the reconciliation use.

Modules, by topic (import the public API from here: ``from payments.services import X``):

- ``records``   the order's payment, and its mirror in Oscar's payment Source/Transaction rows;
- ``sync``      the lock on an intent and applying a PaymentIntent read from Stripe;
- ``authorise`` manual-capture PaymentIntents confirmed off-session; far-date scheduling;
- ``capture``   capture (all or part) and void; settling a cancellation;
- ``refunds``   refunds of captured money;
- ``reconcile`` the hourly repair of whatever was left pending.
"""

from payments.services.authorise import (
    authorisation_time,
    authorise_due_payments,
    payment_authorise,
    payment_authorise_or_schedule,
    payment_authorise_scheduled,
    payment_replan,
    payment_schedule,
)
from payments.services.capture import payment_capture, payment_settle_cancellation, payment_void
from payments.services.reconcile import payments_reconcile
from payments.services.records import payment_for_order
from payments.services.refunds import payment_refund
from payments.services.sync import payment_apply_stripe_state, payment_sync

__all__ = [
    "authorisation_time",
    "authorise_due_payments",
    "payment_apply_stripe_state",
    "payment_authorise",
    "payment_authorise_or_schedule",
    "payment_authorise_scheduled",
    "payment_capture",
    "payment_for_order",
    "payment_refund",
    "payment_replan",
    "payment_schedule",
    "payment_settle_cancellation",
    "payment_sync",
    "payment_void",
    "payments_reconcile",
]
