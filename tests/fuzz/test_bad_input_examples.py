"""The hand-found bad inputs of issue 14 §5 and their siblings: each a clear 4xx that changes
nothing (they answered 500 before, some after writing a held booking)."""

from __future__ import annotations

import pytest
from django.test import Client

from bookings.models import Appointment
from tests.fuzz.support import row_counts
from tests.payments.conftest import DECLINED_AT_CHARGE, save_card
from tests.payments.test_webhooks import deliver, event_for
from tests.support import local

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json", "HTTP_ACCEPT_LANGUAGE": "en"}


def _book(client, service, *, start=None, **fields):
    start = start or local(2, 10)
    start = start if isinstance(start, str) else start.isoformat()
    data = {"product": service.pk, "start": start, **fields}
    return client.post("/shop/book/", data, **JSON)


# --- the community picker ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "1.5", "abc", "-1", "99999999999999999999", "0"])
def test_the_community_picker_refuses_what_is_not_a_community(client, community, value):
    client.post("/community/", {"community": community.pk})

    response = client.post("/community/", {"community": value}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "community does not exist" in response.content.decode()
    zh = client.post("/community/", {"community": value}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "该小区不存在" in zh.content.decode()
    assert client.session["linli_community_id"] == community.pk  # the choice stands


def test_the_community_picker_still_forgets_on_empty(client, community):
    client.post("/community/", {"community": community.pk})
    assert client.post("/community/", {"community": ""}).status_code == 302
    assert "linli_community_id" not in client.session


# --- one click ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"household": "²"},
        {"household": "1.5"},
        {"household": "99999999999999999999"},
        {"household": "-3"},
        {"key": "a\x00b"},
        {"key": "k" * 101},
        {"key": "nonce:2026-12-01 10:00"},  # a space
        {"key": "键"},
        {"start": "a\x00b"},
        {"start": "0001-01-01T00:00:00+14:00"},
        {"start": "9999-12-31T23:59:59-12:00"},
        {"start": "9" * 100},
    ],
)
def test_one_click_refuses_bad_fields_before_writing(
    client, resident, service, worker, published_board, fields
):
    client.force_login(resident)
    before = row_counts()

    response = _book(client, service, start=fields.pop("start", None), **fields)

    assert 400 <= response.status_code < 500, response.content
    assert response.json()["error"]
    assert row_counts() == before


def test_someone_elses_household_is_refused(
    client, resident, other_resident, service, worker, published_board
):
    client.force_login(resident)
    theirs = other_resident.households.get()
    before = row_counts()

    response = _book(client, service, household=theirs.pk)

    assert response.status_code == 400 and row_counts() == before


@pytest.mark.postgres
def test_a_200_character_key_is_refused_before_the_hold_and_on_retry(
    client, localstripe, resident, service, worker, published_board
):
    """It used to hold the worker, write a Pending order, fail at the payment's key column
    (500), and answer the retry 201 {"status": "held"}."""
    save_card(resident)
    client.force_login(resident)
    before = row_counts()

    first = _book(client, service, key="k" * 200)
    retry = _book(client, service, key="k" * 200)

    assert first.status_code == retry.status_code == 400
    assert "booking key" in first.json()["error"].lower()
    assert row_counts() == before
    # The worker is free: a proper key books the slot.
    assert _book(client, service, key="nonce-1:10").status_code == 201


def test_a_retry_of_a_booking_whose_card_was_declined_says_it_did_not_book(
    client, localstripe, resident, service, worker, published_board
):
    save_card(resident, DECLINED_AT_CHARGE)
    client.force_login(resident)

    first = _book(client, service, key="nonce-2:10")
    retry = _book(client, service, key="nonce-2:10")

    assert first.status_code == 402
    assert retry.status_code == 409, retry.content
    assert "did not go through" in retry.json()["error"]
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED


def test_a_repeat_of_a_booking_answers_200_with_its_status(
    client, resident, service, worker, published_board
):
    client.force_login(resident)

    first = _book(client, service, key="nonce-3:10")
    repeat = _book(client, service, key="nonce-3:10")

    assert first.status_code == 201 and repeat.status_code == 200
    assert repeat.json()["appointment"] == first.json()["appointment"]
    assert repeat.json()["status"] == "confirmed" and repeat.json()["repeat"] is True


def test_an_unexpected_failure_while_paying_releases_the_hold(
    client, localstripe, resident, service, worker, published_board, monkeypatch
):
    """Fault injection at the payments seam: whatever goes wrong while paying, the worker is
    not left held for half an hour and a retry is not told it booked."""
    save_card(resident)
    client.force_login(resident)

    def broken(**kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr("bookings.appointments.payment.payment_authorise_or_schedule", broken)
    client.raise_request_exception = False
    assert _book(client, service, key="nonce-4:10").status_code == 500
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.order.status == "Cancelled"

    retry = _book(client, service, key="nonce-4:10")
    assert retry.status_code == 409


# --- NUL anywhere ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,url,data",
    [
        ("get", "/shop/calendar/a%00b.ics", None),
        ("get", "/shop/search/?q=a%00b", None),
        ("get", "/shop/catalogue/?category=a%00b", None),
        ("post", "/community/", {"community": "\x00"}),
        ("post", "/shop/accounts/households/", {"building": "1\x00"}),
    ],
)
def test_a_nul_character_is_refused_anywhere(client, resident, method, url, data):
    client.force_login(resident)
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_cookie_is_refused_and_the_page_still_renders(db):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijk"
    response = client.get("/shop/")
    assert response.status_code == 400


# --- signed webhooks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"id": "evt_" + "x" * 97},
        {"type": "payment_intent." + "x" * 86},
        {"id": 12345},
        {"type": ["payment_intent.succeeded"]},
        {"id": "evt_\x00"},
        {"data": [1]},
        {"data": {"object": "pi_1"}},
        {"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_" + "x" * 62}}},
        {"type": "charge.refunded", "data": {"object": {"payment_intent": 7}}},
    ],
)
def test_a_signed_webhook_that_is_not_an_event_we_can_store_is_400(client, localstripe, change):
    event = {**event_for("payment_intent.succeeded", {"id": "pi_unknown"}), **change}
    before = row_counts()

    response = deliver(client, event)

    assert response.status_code == 400
    assert row_counts() == before


def test_a_signed_webhook_of_exactly_100_characters_is_stored(client, localstripe):
    event = {**event_for("x" * 100, {}), "id": "evt_" + "x" * 96}
    assert deliver(client, event).status_code == 200
