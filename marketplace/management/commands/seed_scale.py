"""``manage.py seed_scale``: a large, realistic dataset for the benchmarks (PostgreSQL).

What it writes, and how, is described in ``marketplace.scale``. Idempotent: when scale data
exists already the command publishes any missing fee board, adds past appointments until there
are ``--appointments`` of them (``marketplace.scale.history``: how the 100k dataset becomes the
1M one, ``--appointments 1000000``), and stops; a second run does nothing.
"""

from __future__ import annotations

import random
import time as clock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from marketplace.models import Community
from marketplace.scale.appointments import appointments_create
from marketplace.scale.boards import boards_publish
from marketplace.scale.frame import (
    SCALE_PASSWORD,
    residents_create,
    scale_community_slug,
    services_create,
    workers_create,
    world_create,
)
from marketplace.scale.history import history_top_up

#: Days of appointments written one per worker per day (70 past and 30 coming, as the 100k
#: default has them); appointments beyond these many are history (``history_top_up``).
RECENT_DAYS = 100


class Command(BaseCommand):
    """Write the benchmark dataset; the sizes are options (``--help``)."""

    help = "Generate the benchmark dataset (100 communities, 10,000 services, ...) on PostgreSQL."

    def add_arguments(self, parser):
        """The sizes of the dataset, ``--no-boards`` and the random seed."""
        parser.add_argument("--communities", type=int, default=100)
        parser.add_argument("--services", type=int, default=10_000)
        parser.add_argument("--workers", type=int, default=1_000)
        parser.add_argument("--appointments", type=int, default=100_000)
        parser.add_argument("--residents-per-community", type=int, default=100)
        parser.add_argument(
            "--no-boards", action="store_true", help="skip publishing the fee boards"
        )
        parser.add_argument("--seed", type=int, default=8, help="random seed")

    def handle(self, *args, **opts):
        """Write the dataset in one transaction, then publish the boards and ANALYZE; only the
        missing boards when scale data exists. Raises CommandError off PostgreSQL or when
        ``--workers``/``--services`` are not multiples of ``--communities``."""
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL: set DATABASE_URL=postgres://...")
        self.t0 = clock.monotonic()
        if Community.objects.filter(slug=scale_community_slug(0)).exists():
            if not opts["no_boards"]:
                boards_publish(
                    Community.objects.filter(slug__startswith="scale-c").order_by("slug"),
                    say=self._say,
                )
            added = history_top_up(opts["appointments"], say=self._say)
            if added:
                self._analyze()
                self.stdout.write(self.style.SUCCESS(f"Added {added} past appointments."))
            else:
                self.stdout.write("Scale data is already there; nothing more to do.")
            return
        n_comm = opts["communities"]
        if opts["workers"] % n_comm or opts["services"] % n_comm:
            raise CommandError("--workers and --services must be multiples of --communities")
        rng = random.Random(opts["seed"])
        say = self._say
        with transaction.atomic():
            world = world_create(n_comm, say=say)
            products = services_create(world, opts["services"] // n_comm, say=say)
            workers = workers_create(world, opts["workers"] // n_comm, rng=rng, say=say)
            residents = residents_create(world, opts["residents_per_community"], rng=rng, say=say)
            # The recent weeks from Python, one appointment per worker per day; anything
            # beyond them is history, written in SQL behind them.
            recent = min(opts["appointments"], RECENT_DAYS * opts["workers"])
            count = appointments_create(
                world, products, workers, residents, recent, rng=rng, say=say
            )
            count += history_top_up(opts["appointments"], say=say)
        if not opts["no_boards"]:
            boards_publish(world["communities"], say=say)
        self._analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data ready in {clock.monotonic() - self.t0:.0f} s: {n_comm} communities, "
                f"{opts['services']} services, {opts['workers']} workers, "
                f"{n_comm * opts['residents_per_community']} residents, {count} appointments. "
                f"Password of every scale login: '{SCALE_PASSWORD}'."
            )
        )

    def _analyze(self) -> None:
        """Refresh the planner's statistics after a bulk write."""
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _say(self, what: str) -> None:
        """One line of progress, with the seconds since the command started."""
        self.stdout.write(f"  [{clock.monotonic() - self.t0:6.1f} s] {what}")
