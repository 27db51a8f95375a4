"""Fuzzed resident, console and webhook endpoints: never a 5xx, and nothing created on a 4xx.

Each example's request runs in a savepoint that is rolled back after its rows are counted
(``call``), so every example starts from the same world and the examples are independent;
hypothesis runs a fixed set (``strategies.FUZZ``) so CI sees the same requests every time.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import example, given
from hypothesis import strategies as st

from bookings.models import JobOffer
from tests.bookings.console.conftest import accept
from tests.fuzz.strategies import FUZZ, anything, field, moments, numbers, texts
from tests.fuzz.support import row_counts
from tests.payments.test_webhooks import deliver, event_for
from tests.support import local

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
ids = st.integers(min_value=0, max_value=2**70)


def call(client, method: str, url: str, data=None, **extra):
    """One request in a savepoint: asserts it is not a 5xx and, if a 4xx, that it created
    no row; then rolls it back. Returns the response."""
    with transaction.atomic():
        before = row_counts()
        response = getattr(client, method)(url, data or {}, **extra)
        after = row_counts()
        transaction.set_rollback(True)
    assert response.status_code < 500, (method, url, data, response.status_code)
    if 400 <= response.status_code < 500:
        assert after == before, (method, url, data, before, after)
    return response


@pytest.fixture
def world(book, resident, other_resident, service, worker, second_worker, provider_manager):
    """A resident with a confirmed appointment, another resident's, and the provider's people."""
    mine = book(local(2, 10))
    theirs = book(local(3, 10), user=other_resident)
    return SimpleNamespace(
        resident=resident,
        service=service,
        household=resident.households.get(),
        mine=mine,
        theirs=theirs,
        worker=worker,
        manager=provider_manager,
    )


def _starts():
    return st.sampled_from([local(d, h).isoformat() for d in (1, 2, 4) for h in (10, 14)])


# --- residents --------------------------------------------------------------------------------


def test_one_click_booking(client, world):
    client.force_login(world.resident)

    @FUZZ
    @given(
        product=field(st.just(str(world.service.pk))),
        household=field(st.sampled_from([str(world.household.pk), ""])),
        start=field(_starts()),
        key=field(st.from_regex(r"\A[a-f0-9]{8}:[0-9T:+-]{5,30}\Z")),
        as_json=st.booleans(),
    )
    # The hand-found ones (issue 14 §5), always tried first.
    @example(product=str(world.service.pk), household="²", start="", key="", as_json=True)
    @example(product=str(world.service.pk), household="", start="", key="a\x00b", as_json=True)
    @example(
        product=str(world.service.pk),
        household="",
        start="9999-12-31T23:59:59-12:00",
        key="",
        as_json=False,
    )
    def run(product, household, start, key, as_json):
        data = {"product": product, "household": household, "start": start, "key": key}
        call(client, "post", "/shop/book/", data, **(JSON if as_json else {}))

    run()


def test_reschedule_and_cancel(client, world):
    client.force_login(world.resident)

    @FUZZ
    @given(
        which=st.sampled_from(["mine", "theirs"]),
        action=st.sampled_from(["reschedule", "cancel"]),
        start=field(_starts()),
        reason=texts,
    )
    def run(which, action, start, reason):
        pk = getattr(world, which).pk
        url = f"/shop/accounts/appointments/{pk}/{action}/"
        call(client, "post", url, {"start": start, "reason": reason})

    run()


def test_pages_by_id_and_token(client, world):
    client.force_login(world.resident)

    @FUZZ
    @given(
        pk=ids,
        suffix=st.sampled_from(["/", "/cancel/", "/reschedule/", ".ics"]),
        token=st.text(min_size=1, max_size=80).filter(lambda t: "/" not in t),
    )
    def run(pk, suffix, token):
        call(client, "get", f"/shop/accounts/appointments/{pk}{suffix}")
        call(client, "post", f"/shop/accounts/households/{pk}/default/")
        call(client, "get", f"/shop/calendar/{token}.ics")
        call(client, "get", f"/shop/services/{pk}/slots.json")

    run()


def test_slot_picker(client, world):
    client.force_login(world.resident)
    url = f"/shop/services/{world.service.pk}/slots.json"

    @FUZZ
    @given(first=field(moments), last=field(moments))
    @example(first="9999-12-31", last="")
    @example(first="0001-01-01T00:00:00+14:00", last="0001-01-01")
    def run(first, last):
        call(client, "get", url, {"from": first, "to": last})
        call(client, "get", world.service.get_absolute_url(), {"slot": first})

    run()


def test_community_picker(client, world):
    @FUZZ
    @given(community=field(st.just(str(world.household.community_id))), next_url=texts)
    @example(community="²", next_url="")
    def run(community, next_url):
        call(client, "post", "/community/", {"community": community, "next": next_url})

    run()


def test_household_form(client, world):
    client.force_login(world.resident)

    @FUZZ
    @given(
        community=field(st.just(str(world.household.community_id))),
        building=texts,
        unit=texts,
        room=texts,
        contact_name=texts,
        contact_phone=field(st.sampled_from(["13800138000", "１３８００１３８０００", "+86 138"])),
        next_url=texts,
    )
    def run(community, building, unit, room, contact_name, contact_phone, next_url):
        data = {
            "community": community,
            "building": building,
            "unit": unit,
            "room": room,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "next": next_url,
        }
        call(client, "post", "/shop/accounts/households/", data)

    run()


def test_basket_and_cards(client, localstripe, world):
    client.force_login(world.resident)
    basket_url = f"/shop/services/{world.service.pk}/basket/"

    @FUZZ
    @given(
        start=field(_starts()),
        setup_intent=field(st.from_regex(r"\Aseti_[A-Za-z0-9]{5,30}\Z")).map(lambda v: v),
        seti_tail=texts,
        pk=ids,
    )
    def run(start, setup_intent, seti_tail, pk):
        call(client, "post", basket_url, {"start": start})
        call(client, "post", "/shop/accounts/cards/add/", {"setup_intent": setup_intent})
        call(client, "post", "/shop/accounts/cards/add/", {"setup_intent": "seti_" + seti_tail})
        call(client, "post", f"/shop/accounts/cards/{pk}/default/")
        call(client, "get", f"/payments/{pk}/authenticate/")

    run()


# --- the provider console ---------------------------------------------------------------------


def test_worker_job_actions(client, world):
    accept(world.mine)
    offer_ids = list(JobOffer.objects.values_list("pk", flat=True)) or [0]
    client.force_login(world.worker.user)

    @FUZZ
    @given(
        pk=field(st.sampled_from([str(world.mine.pk), str(world.theirs.pk)])),
        action=st.sampled_from(["check-in", "complete", "no-show"]),
        offer=st.sampled_from(offer_ids),
        notes=texts,
    )
    def run(pk, action, offer, notes):
        if pk.isascii() and pk.isdigit() and len(pk) < 30:
            call(client, "post", f"/provider/jobs/{pk}/{action}/", {"notes": notes})
            call(client, "get", f"/provider/jobs/{pk}/")
        call(client, "post", f"/provider/offers/{offer}/decline/", {"reason": notes})

    run()


def test_schedule_forms(client, world):
    client.force_login(world.worker.user)
    times = field(st.sampled_from(["08:00", "12:00", "18:00", "23:59"]))

    @FUZZ
    @given(
        action=st.sampled_from(["hours", "time_off", "", "other"]),
        start=field(moments),
        end=field(moments),
        d0_start=times,
        d0_end=times,
        reason=texts,
        week=field(moments),
    )
    @example(
        action="time_off",
        start="9999-12-31T00:00",
        end="9999-12-31T23:59",
        d0_start="",
        d0_end="",
        reason="",
        week="9999-12-31",
    )
    def run(action, start, end, d0_start, d0_end, reason, week):
        data = {
            "action": action,
            "start": start,
            "end": end,
            "reason": reason,
            "d0_0_start": d0_start,
            "d0_0_end": d0_end,
        }
        call(client, "post", "/provider/hours/", data)
        call(client, "get", "/provider/hours/", {"week": week})

    run()


def test_manager_forms(client, world):
    client.force_login(world.manager)
    record = world.mine.stockrecord

    @FUZZ
    @given(
        price=field(numbers),
        start=field(moments),
        end=field(moments),
        period=field(st.sampled_from(["day", "week", "month"])),
        fmt=st.sampled_from(["", "csv"]),
        worker=field(st.just(str(world.worker.pk))),
        week=field(moments),
        pk=ids,
    )
    @example(
        price="NaN",
        start="9999-01-01",
        end="9999-12-31",
        period="",
        fmt="csv",
        worker="²",
        week="9999-12-31",
        pk=2**70,
    )
    @example(
        price="1e400",
        start="0001-01-01",
        end="",
        period="day",
        fmt="",
        worker="",
        week="0001-01-01",
        pk=0,
    )
    def run(price, start, end, period, fmt, worker, week, pk):
        call(
            client,
            "post",
            f"/provider/services/{record.pk}/price/",
            {f"sr{record.pk}-price": price},
        )
        call(
            client,
            "get",
            "/provider/earnings/",
            {"start": start, "end": end, "period": period, "format": fmt},
        )
        call(client, "post", f"/provider/dispatch/{world.mine.pk}/assign/", {"worker": worker})
        call(client, "get", "/provider/team/", {"week": week})
        call(client, "get", f"/provider/team/{pk}/hours/")

    run()


# --- Stripe's webhook -------------------------------------------------------------------------


def test_signed_webhooks_with_fuzzed_fields(client, localstripe):
    scalar = st.one_of(anything, st.integers(), st.none(), st.booleans())
    json_value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
    types = st.sampled_from(
        [
            "payment_intent.succeeded",
            "payment_intent.canceled",
            "charge.refunded",
            "customer.created",
        ]
    )

    @FUZZ
    @given(
        event_id=field(st.from_regex(r"\Aevt_[A-Za-z0-9]{10,30}\Z")),
        event_type=field(types),
        object_id=st.one_of(json_value, st.from_regex(r"\Api_[A-Za-z0-9]{10,30}\Z")),
        payment_intent=st.one_of(json_value, st.dictionaries(st.just("id"), json_value)),
        data=st.one_of(st.just(None), json_value),
    )
    @example(
        event_id="evt_" + "x" * 97,
        event_type="payment_intent.succeeded",
        object_id="pi_1",
        payment_intent=None,
        data=None,
    )
    @example(
        event_id="evt_1",
        event_type="charge.refunded",
        object_id="pi_1",
        payment_intent=7,
        data=None,
    )
    def run(event_id, event_type, object_id, payment_intent, data):
        obj = {"id": object_id, "payment_intent": payment_intent}
        event = {**event_for("x", obj), "id": event_id, "type": event_type}
        if data is not None:
            event["data"] = data
        with transaction.atomic():
            before = row_counts()
            response = deliver(client, event)
            after = row_counts()
            transaction.set_rollback(True)
        assert response.status_code < 500 or response.status_code == 503, event
        if response.status_code >= 400:
            assert after == before, event

    run()
