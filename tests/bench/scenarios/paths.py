"""The paths a resident takes besides a pay-later click, each with 16 clients for ``seconds``:

* one click with a saved default card, authorised through localstripe (slots within four
  days, so the card is authorised at once rather than scheduled 48 h ahead);
* basket checkout of three services (three adds, Oscar's checkout pages, placing the order);
* a reschedule of a booking made under the pay-later load to another free time.

Each gives its rate, its latencies (ms), and its CPU per operation by part (web, Celery,
PostgreSQL, Redis; localstripe on its own line, left out of Linli's total) over the load plus
two seconds for the Celery workers to catch up. A measurement that fails is skipped with the
reason: benchmarks print figures, they never fail.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import timedelta

import aiohttp
from django.utils import timezone

from bookings.models import Appointment
from marketplace.catalogue.models import Product
from marketplace.partner.models import StockRecord
from payments import stripe_client as sc
from payments.cards import card_attach, default_card
from payments.models import PaymentIntentRecord
from tests.bench.clients import _summary, booking_client, pct, random_bookings
from tests.bench.environment import say
from tests.bench.processes import cpu_seconds_by_role
from tests.bench.scenarios.world import free_slots

CLIENTS = 16
NOT_LINLI = ("localstripe", "load client")


def measure(results, world, base, seconds, load_appointments) -> None:
    """Run the three measurements into ``results["paths"]`` (skipped ones into
    ``results["skipped"]``). ``load_appointments``: the ids of the bookings made under the
    pay-later load, which the reschedule moves."""
    results["_moves"] = load_appointments
    results["paths"] = {}
    for name, run in (
        ("card_bookings", _card_bookings),
        ("basket_checkout", _basket_checkout),
        ("reschedule", _reschedule),
    ):
        try:
            results["paths"][name] = run(results, world, base, seconds)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports, it never fails
            results["skipped"][name] = f"failed: {exc!r}"[:200]
            say(f"{name}: skipped ({exc!r})")


def _cpu_per_op(before: dict, after: dict, ops: int) -> dict:
    """CPU ms per operation by part between two ``cpu_seconds_by_role`` readings, with
    ``linli`` the sum of the parts that are Linli's (not localstripe, not the load client)."""
    per: dict[str, float] = {}
    for pid, (role, used) in after.items():
        per[role] = per.get(role, 0.0) + used - before.get(pid, (role, 0.0))[1]
    per = {role: round(s * 1000 / max(ops, 1), 1) for role, s in sorted(per.items())}
    per["linli"] = round(sum(ms for role, ms in per.items() if role not in NOT_LINLI), 1)
    return per


def _measured(run):
    """``run()``'s outcome with the CPU by part it cost, per successful operation."""
    before = cpu_seconds_by_role()
    outcome = run()
    time.sleep(2)  # the Celery workers' share (offers, notices) of what was just done
    outcome["cpu_ms_per_op"] = _cpu_per_op(before, cpu_seconds_by_role(), outcome["ok"])
    return outcome


def _slots_of(community, *, within_days: int | None = None, picks: int = 6) -> list:
    """(product id, local ISO start, local date) of free slots of a few of the community's
    services, optionally starting within ``within_days``."""
    product_ids = list(
        StockRecord.objects.filter(community=community).values_list("product_id", flat=True)
    )
    rng = random.Random(community.pk * 7)
    chosen = Product.objects.filter(pk__in=rng.sample(product_ids, min(picks, len(product_ids))))
    soon = timezone.now() + timedelta(days=within_days) if within_days else None
    slots = []
    for product in chosen:
        for s in free_slots(product, community, days=within_days or 30):
            if soon is None or s.start < soon:
                slots.append((product.pk, s.local_start.isoformat(), s.local_start.date()))
    return slots


# --- one click with a saved card ---------------------------------------------------------------


def _with_card(user) -> None:
    """Give ``user`` a default Visa card at localstripe, as the card page would."""
    if default_card(user) is not None:
        return
    pm = sc.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    card_attach(user=user, payment_method_id=pm["id"])


def _card_bookings(results, world, base, seconds) -> dict:
    say("card bookings: saving a card for 16 residents at localstripe")
    clients = []
    for community in world.communities[2 : 2 + CLIENTS]:
        users = world.residents[community.pk]
        user = users[1] if len(users) > 1 else users[0]
        _with_card(user)
        slots = [(p, start) for p, start, _day in _slots_of(community, within_days=4)]
        clients.append(booking_client(user, slots))
    say(f"{CLIENTS} clients booking with a saved card for {seconds} s")
    outcome = _measured(lambda: _bookings(base, clients, seconds))
    made = outcome.pop("appointments")
    orders = Appointment.objects.filter(pk__in=made).values_list("order_id", flat=True)
    outcome["authorised"] = PaymentIntentRecord.objects.filter(order_id__in=orders).count()
    say(
        f"card bookings: {outcome['ok']} booked ({outcome['per_s']}/s), "
        f"{outcome['authorised']} authorised at localstripe; CPU ms {outcome['cpu_ms_per_op']}"
    )
    return outcome


def _bookings(base, clients, seconds) -> dict:
    load = asyncio.run(random_bookings(base, clients, seconds))
    return {
        "ok": load["booked"],
        "per_s": load["booked_per_s"],
        "conflicts_409": load["conflicts_409"],
        "server_errors_5xx": load["server_errors_5xx"],
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
        "appointments": load["appointments"],
    }


# --- basket checkout of three services -----------------------------------------------------


async def _checkout_once(session, base, client, three) -> tuple[bool, float, float]:
    """Three adds, Oscar's checkout pages, place the order: (placed, seconds in all,
    seconds placing)."""
    headers = {"Cookie": client["cookie"], "X-CSRFToken": client["csrf"], "Referer": base}
    t0 = time.perf_counter()
    for product_id, start in three:
        async with session.post(
            f"{base}/shop/services/{product_id}/basket/",
            data={"start": start},
            headers=headers,
            allow_redirects=False,
        ) as r:
            await r.read()
    for path in ("/shop/checkout/", "/shop/checkout/payment-details/", "/shop/checkout/preview/"):
        async with session.get(f"{base}{path}", headers=headers) as r:
            await r.read()
    t1 = time.perf_counter()
    async with session.post(
        f"{base}/shop/checkout/preview/",
        data={"action": "place_order"},
        headers=headers,
        allow_redirects=False,
    ) as r:
        await r.read()
        placed = r.status == 302 and "thank-you" in r.headers.get("Location", "")
    return placed, time.perf_counter() - t0, time.perf_counter() - t1


async def _checkouts(base, clients, seconds) -> dict:
    done: list[tuple[bool, float, float]] = []
    deadline = time.perf_counter() + seconds

    async def run(session, client):
        rng = random.Random(client["csrf"])
        by_day: dict = {}
        for product_id, start, day in client["slots"]:
            by_day.setdefault(day, []).append((product_id, start))
        while time.perf_counter() < deadline:
            days = [d for d, s in by_day.items() if s]
            if len(days) < 3:
                break
            # Three services on three days: the basket's own lines never overlap.
            three = [by_day[d].pop(rng.randrange(len(by_day[d]))) for d in rng.sample(days, 3)]
            done.append(await _checkout_once(session, base, client, three))

    t0 = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(run(session, c) for c in clients))
    elapsed = time.perf_counter() - t0
    placed = sum(1 for ok, _a, _p in done if ok)
    return {
        "ok": placed,
        "attempts": len(done),
        "per_s": round(placed / elapsed, 2) if elapsed else 0,
        "p50_ms": _ms(pct([a for _o, a, _p in done], 50)),
        "p99_ms": _ms(pct([a for _o, a, _p in done], 99)),
        "place_p50_ms": _ms(pct([p for _o, _a, p in done], 50)),
    }


def _ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 1) if seconds is not None else None


def _basket_checkout(results, world, base, seconds) -> dict:
    say("basket checkout: collecting free slots")
    clients = []
    for community in world.communities[2 : 2 + CLIENTS]:
        users = world.residents[community.pk]
        user = users[2] if len(users) > 2 else users[-1]
        client = booking_client(user, [])
        client["slots"] = _slots_of(community)
        clients.append(client)
    say(f"{CLIENTS} clients checking out baskets of three services for {seconds} s")
    outcome = _measured(lambda: asyncio.run(_checkouts(base, clients, seconds)))
    say(
        f"basket checkout: {outcome['ok']}/{outcome['attempts']} placed ({outcome['per_s']}/s); "
        f"CPU ms {outcome['cpu_ms_per_op']}"
    )
    return outcome


# --- reschedule ----------------------------------------------------------------------------------


async def _reschedules(base, clients, seconds) -> dict:
    results: list[dict] = []
    deadline = time.perf_counter() + seconds

    async def run(session, client):
        headers = {"Cookie": client["cookie"], "X-CSRFToken": client["csrf"], "Referer": base}
        rng = random.Random(client["csrf"])
        for appointment_id, starts in client["moves"]:
            if time.perf_counter() >= deadline or not starts:
                break
            start = starts.pop(rng.randrange(len(starts)))
            t0 = time.perf_counter()
            async with session.post(
                f"{base}/shop/accounts/appointments/{appointment_id}/reschedule/",
                data={"start": start},
                headers=headers,
                allow_redirects=False,
            ) as r:
                await r.read()
                moved = r.status == 302 and str(appointment_id) in r.headers.get("Location", "")
            results.append(
                {"status": 201 if moved else r.status, "elapsed": time.perf_counter() - t0}
            )

    t0 = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(run(session, c) for c in clients))
    summary = _summary(results, time.perf_counter() - t0)
    return {
        "ok": summary["booked"],
        "attempts": summary["requests"],
        "per_s": summary["booked_per_s"],
        "conflicts_409": summary["conflicts_409"],
        "server_errors_5xx": summary["server_errors_5xx"],
        "p50_ms": summary["p50_ms"],
        "p99_ms": summary["p99_ms"],
    }


def _reschedule(results, world, base, seconds) -> dict:
    made = results.pop("_moves", [])
    appointments = (
        Appointment.objects.filter(pk__in=made, status=Appointment.Status.CONFIRMED)
        .select_related("resident", "product", "community")
        .order_by("pk")
    )
    by_resident: dict = {}
    for a in appointments:
        by_resident.setdefault(a.resident_id, []).append(a)
    if not by_resident:
        raise RuntimeError("no bookings from the pay-later load to move")
    say("reschedule: collecting free times for the pay-later load's bookings")
    free: dict = {}
    clients = []
    for mine in list(by_resident.values())[:CLIENTS]:
        moves = []
        for a in mine[:20]:
            key = (a.product_id, a.community_id)
            if key not in free:
                free[key] = [s.local_start.isoformat() for s in free_slots(a.product, a.community)]
            moves.append((a.pk, list(free[key])))
        client = booking_client(mine[0].resident, [])
        client["moves"] = moves
        clients.append(client)
    say(f"{len(clients)} clients rescheduling for {seconds} s")
    outcome = _measured(lambda: asyncio.run(_reschedules(base, clients, seconds)))
    say(
        f"reschedule: {outcome['ok']}/{outcome['attempts']} moved ({outcome['per_s']}/s); "
        f"CPU ms {outcome['cpu_ms_per_op']}"
    )
    return outcome
