"""Dispatch latency: from a booking's confirming commit to its first offer row, for the bookings
made under load and for 20 bookings made one at a time (idle). Measured only when the dispatch
offer model exists (otherwise skipped, with the reason)."""

from __future__ import annotations

import asyncio
import random
import time

from django.db.models import Min

from bookings.models import Appointment, AppointmentEvent, JobOffer
from marketplace.catalogue.models import Product
from marketplace.partner.models import StockRecord
from tests.bench.clients import booking_client, paced_bookings, pct
from tests.bench.environment import say
from tests.bench.processes import cpu_seconds_by_role
from tests.bench.scenarios.bookings import cpu_per_booking
from tests.bench.scenarios.world import datetime_fields, free_slots


def offer_model():
    """The job offer model: an appointment and a creation time."""
    return JobOffer


def _created_field(model):
    """The name of the model's creation time field, or None."""
    fields = datetime_fields(model)
    for f in fields:
        if getattr(f, "auto_now_add", False):
            return f.name
    for name in ("created", "created_at", "offered_at", "sent_at", "at"):
        if any(f.name == name for f in fields):
            return name
    return None


def _appointment_fk(model):
    """The name of the model's foreign key to Appointment, or None."""
    for f in model._meta.concrete_fields:
        if getattr(f, "related_model", None) is Appointment:
            return f.name
    return None


def dispatch_latencies(appointment_ids: list[int]) -> list[float]:
    """Seconds from the confirming transaction (its AppointmentEvent) to the first offer row."""
    model = offer_model()
    fk, created = _appointment_fk(model), _created_field(model)
    offered = dict(
        model.objects.filter(**{f"{fk}__in": appointment_ids})
        .values(fk)
        .annotate(first=Min(created))
        .values_list(fk, "first")
    )
    confirmed = dict(
        AppointmentEvent.objects.filter(appointment_id__in=appointment_ids, to_status="confirmed")
        .values("appointment_id")
        .annotate(at=Min("at"))
        .values_list("appointment_id", "at")
    )
    return [
        max(0.0, (offered[a] - confirmed[a]).total_seconds())
        for a in appointment_ids
        if a in offered and a in confirmed
    ]


def _stats(values: list[float], n: int) -> dict:
    """{"bookings": n, "offered", "p50_ms", "p95_ms"} of latencies in seconds."""
    return {
        "bookings": n,
        "offered": len(values),
        "p50_ms": round(pct(values, 50) * 1000, 1) if values else None,
        "p95_ms": round(pct(values, 95) * 1000, 1) if values else None,
    }


def measure(results, world, base) -> None:
    """Measure dispatch latency under load (the bookings that the booking measurement left in ``results``) and
    idle into ``results["dispatch"]``; also the CPU per booking, once the offers are out."""
    model = offer_model()
    load_ids = results.pop("_load_appointments", [])
    cpu = results.pop("_cpu", None)
    if model is None:
        results["skipped"]["dispatch"] = (
            "no dispatch offer model in bookings yet (issue 6: bookings/dispatch.py); "
            "nothing to time from booking commit to offer row"
        )
        say("skip dispatch: " + results["skipped"]["dispatch"])
        return
    say(f"dispatch: offers ({model.__name__}) for the {len(load_ids)} bookings made under load")
    time.sleep(3)  # let the worker drain what the load left
    under_load = dispatch_latencies(load_ids)
    cpu_per_booking(results, cpu, drained=cpu_seconds_by_role())
    # Idle: one booking at a time, a pause between them.
    community = world.communities[18]
    product_ids = StockRecord.objects.filter(community=community).values_list(
        "product_id", flat=True
    )
    slots = []
    for product in Product.objects.filter(pk__in=list(product_ids)[:5]):
        slots += [(product.pk, s.local_start.isoformat()) for s in free_slots(product, community)]
    random.Random(7).shuffle(slots)
    client = booking_client(world.residents[community.pk][0], slots)
    idle_ids = asyncio.run(paced_bookings(base, client, count=20, pause=0.5))
    time.sleep(3)
    idle = dispatch_latencies(idle_ids)
    results["dispatch"] = {
        "model": model.__name__,
        "idle": _stats(idle, len(idle_ids)),
        "under_load": _stats(under_load, len(load_ids)),
    }
    say(f"dispatch: {results['dispatch']}")
