"""Beat tasks: thin wrappers that call a service. Due times are columns, not countdowns."""

from celery import shared_task

from payments.services import authorise_due_payments, payments_reconcile


@shared_task(
    name="payments.tasks.authorise_due_payments",
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def authorise_due_payments_task() -> int:
    """Every few minutes: authorise far-date bookings whose time (start − 48 h) has come."""
    return authorise_due_payments()


@shared_task(name="payments.tasks.reconcile_payments", acks_late=True)
def reconcile_payments_task() -> dict:
    """Hourly: re-read payments stuck pending for over an hour from Stripe and repair them."""
    return payments_reconcile()
