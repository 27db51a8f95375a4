"""Signals sent after commit when a payment changes state, whoever changed it (our own call, a
webhook, the reconciliation or the far-date beat task). Receivers get ``intent``
(a ``PaymentIntentRecord``). Bookings connects to them to confirm or release appointments whose
payment completes asynchronously (3-D Secure, far dates)."""

from django.dispatch import Signal

payment_authorised = Signal()
payment_failed = Signal()
payment_captured = Signal()
payment_voided = Signal()
payment_refunded = Signal()
