"""One-click bookings: 16 clients on random free slots (bookings/s, 409s, 5xx, and the CPU a
booking costs, by part), then 64 clients on one hot slot, three rounds (one winner each)."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from django.utils import timezone

from marketplace.catalogue.models import Product
from marketplace.partner.models import StockRecord
from tests.bench.clients import booking_client, hot_slot, random_bookings
from tests.bench.environment import say
from tests.bench.processes import cpu_seconds_by_role, start_profile
from tests.bench.scenarios.world import free_slots


def measure(results, world, base, seconds, opts, gunicorn) -> None:
    """Measure the random-slot load for ``seconds`` into ``results["random_slots"]`` and the
    hot slot into ``results["hot_slot"]``. Leaves for the dispatch measurement the appointments
    made under load (``results["_load_appointments"]``) and the CPU readings before and after
    the load (``results["_cpu"]``)."""
    say("one-click bookings: collecting free slots of 16 residents' communities")
    clients = []
    for community in world.communities[2:18]:
        product_ids = list(
            StockRecord.objects.filter(community=community).values_list("product_id", flat=True)
        )
        rng = random.Random(community.pk)
        picks = Product.objects.filter(pk__in=rng.sample(product_ids, min(6, len(product_ids))))
        slots = []
        for product in picks:
            slots += [
                (product.pk, s.local_start.isoformat()) for s in free_slots(product, community)
            ]
        users = world.residents[community.pk]
        clients.append(booking_client(users[0], slots))
    say(f"16 clients on random free slots for {seconds} s")
    profile = start_profile("booking", seconds) if opts.profile == "booking" else None
    cpu_before = cpu_seconds_by_role()
    load = asyncio.run(random_bookings(base, clients, seconds))
    # The Celery worker's share is counted once the offers are out (the dispatch measurement waits for them).
    results["_cpu"] = (cpu_before, cpu_seconds_by_role())
    if profile:
        profile.wait()
    results["random_slots"] = {k: v for k, v in load.items() if k != "appointments"}
    results["random_slots"]["clients"] = 16
    results["_load_appointments"] = load["appointments"]
    say(
        f"booked {load['booked']} ({load['booked_per_s']}/s), 409: {load['conflicts_409']}, "
        f"5xx: {load['server_errors_5xx']}"
    )

    rounds = []
    hot_users = world.residents[world.hot_community.pk][:64]
    slots = free_slots(world.hot_service, world.hot_community, days=10)
    soon = timezone.now() + timedelta(hours=4)
    slots = [s for s in slots if s.start > soon]
    for n in range(3):
        if not slots:
            break
        slot = slots[len(slots) // 4 * n + n]
        hot_clients = [booking_client(u, []) for u in hot_users]
        say(
            f"hot slot {n + 1}/3: 64 clients on {world.hot_service.upc} at {slot.local_start:%m-%d %H:%M}"
        )
        outcome = asyncio.run(
            hot_slot(base, hot_clients, world.hot_service.pk, slot.local_start.isoformat())
        )
        outcome.pop("appointments", None)
        rounds.append(outcome)
    results["hot_slot"] = {
        "clients": len(hot_users),
        "qualified_workers": world.hot_workers,
        "rounds": rounds,
        "winners": [r["booked"] for r in rounds],
        "conflicts_409": sum(r["conflicts_409"] for r in rounds),
        "server_errors_5xx": sum(r["server_errors_5xx"] for r in rounds),
        "p99_ms": max((r["p99_ms"] or 0) for r in rounds) if rounds else None,
    }
    say(f"hot slot winners per round: {results['hot_slot']['winners']}")


def cpu_per_booking(results, cpu, *, drained: dict) -> None:
    """CPU milliseconds per booking made under load, by part: the web, PostgreSQL, Redis and
    the client over the load (``cpu``: the readings before and after it); the Celery workers
    until they had put out every offer (``drained``)."""
    before, after_load = cpu or ({}, {})
    booked = results.get("random_slots", {}).get("booked") or 0
    if not booked or not before:
        return
    per: dict[str, float] = {}
    for pid, (role, _seconds) in {**after_load, **drained}.items():
        after = drained if role == "Celery worker" else after_load
        if pid not in after:
            continue
        used = after[pid][1] - before.get(pid, (role, 0.0))[1]
        per[role] = per.get(role, 0.0) + used
    per = {role: round(s * 1000 / booked, 1) for role, s in sorted(per.items())}
    results["random_slots"]["cpu_ms_per_booking"] = per
    say(f"CPU per booking (ms): {per}")
