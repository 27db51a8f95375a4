"""``manage.py reconcile_payments``: the hourly reconciliation, by hand."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from payments.services import payments_reconcile


class Command(BaseCommand):
    """Run ``payments_reconcile`` once and print what it repaired."""

    help = "Re-read from Stripe every payment stuck in a pending state and repair our records."

    def add_arguments(self, parser):
        """``--older-than-minutes`` (default 60)."""
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="only payments untouched for this long (default 60)",
        )

    def handle(self, *args, **options):
        """Reconcile and print the counts of payments and refunds repaired."""
        counts = payments_reconcile(older_than=timedelta(minutes=options["older_than_minutes"]))
        self.stdout.write(
            f"reconciled {counts['intents']} payment(s), {counts['refunds']} refund(s)"
        )
