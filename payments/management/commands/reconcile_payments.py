from datetime import timedelta

from django.core.management.base import BaseCommand

from payments.services import payments_reconcile


class Command(BaseCommand):
    help = "Re-read from Stripe every payment stuck in a pending state and repair our records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="only payments untouched for this long (default 60)",
        )

    def handle(self, *args, **options):
        counts = payments_reconcile(older_than=timedelta(minutes=options["older_than_minutes"]))
        self.stdout.write(
            f"reconciled {counts['intents']} payment(s), {counts['refunds']} refund(s)"
        )
