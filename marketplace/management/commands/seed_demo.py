import importlib

from django.core.management.base import BaseCommand

from marketplace.seed import DEMO_PASSWORD, seed_marketplace

# Each app may add demo data with a ``seed(ctx)`` function in ``<app>/seed.py``, in this order.
APP_SEEDS = ["cms", "bookings", "payments", "repairs", "feedback"]


class Command(BaseCommand):
    """``manage.py seed_demo``: the marketplace's demo data, then each app's (``APP_SEEDS``)."""

    help = "Create or refresh the demo data (idempotent: safe to run again)."

    def handle(self, *args, **options):
        """Seed the marketplace, hand its ``SeedContext`` to each app's ``seed(ctx)`` (an app
        without a ``seed`` module is skipped) and print what was made."""
        ctx = seed_marketplace()
        for app in APP_SEEDS:
            try:
                module = importlib.import_module(f"{app}.seed")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.seed":
                    raise
                continue
            module.seed(ctx)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(ctx.communities)} communities, {len(ctx.providers)} providers, "
                f"{len(ctx.services)} services. Every demo login's password is '{DEMO_PASSWORD}'."
            )
        )
