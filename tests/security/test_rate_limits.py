"""Rate limits (marketplace.ratelimits): 429 with Retry-After at the limit, never below it, and
nothing written by a refused request."""

import pytest
from django.utils import translation

from bookings.models import Appointment
from tests.support import tomorrow_at


@pytest.fixture
def limits(settings):
    def set_limit(name, rate):
        settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, name: rate}

    return set_limit


def _assert_refused(response, period_seconds):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= period_seconds


def test_the_slot_picker_answers_429_past_its_limit(client, limits, service, community, board):
    limits("slots", "3/m")
    session = client.session
    session["linli_community"] = community.pk
    session.save()
    url = f"/shop/services/{service.pk}/slots.json"
    for _ in range(3):
        assert client.get(url).status_code != 429
    response = client.get(url)
    _assert_refused(response, 60)
    body = response.json()
    assert body["retry_after"] == int(response["Retry-After"])
    assert "请求过于频繁" in body["error"]


def test_booking_past_its_limit_is_refused_and_books_nothing(client, limits, resident, service):
    limits("booking", "2/m")
    client.force_login(resident)
    start = tomorrow_at(10).isoformat()
    for _ in range(2):  # below the limit: the view answers (no worker here: not 429)
        assert (
            client.post("/shop/book/", {"product": service.pk, "start": start}).status_code != 429
        )
    response = client.post(
        "/shop/book/", {"product": service.pk, "start": start}, HTTP_ACCEPT="application/json"
    )
    _assert_refused(response, 60)
    assert not Appointment.objects.exists()


def test_limits_count_per_user(client, limits, resident, other_resident, service):
    limits("booking", "1/m")
    client.force_login(resident)
    client.post("/shop/book/", {"product": service.pk, "start": "x"})
    assert client.post("/shop/book/", {"product": service.pk, "start": "x"}).status_code == 429
    client.force_login(other_resident)
    assert client.post("/shop/book/", {"product": service.pk, "start": "x"}).status_code != 429


def test_card_setup_past_its_limit_creates_no_setup_intent(localstripe, client, limits, resident):
    limits("card_setup", "1/h")
    client.force_login(resident)
    assert client.post("/shop/accounts/cards/setup/").status_code == 200
    response = client.post("/shop/accounts/cards/setup/", HTTP_ACCEPT="application/json")
    _assert_refused(response, 3600)
    assert "client_secret" not in response.json()


def test_board_exports_are_limited_per_address(client, limits, board):
    limits("exports", "2/m")
    slug = board.community.slug
    for path in ("board.json", "board.csv"):  # one counter for both exports
        assert client.get(f"/boards/{slug}/{path}", REMOTE_ADDR="10.1.1.1").status_code == 200
    response = client.get(f"/boards/{slug}/board.csv", REMOTE_ADDR="10.1.1.1")
    _assert_refused(response, 60)
    assert client.get(f"/boards/{slug}/board.csv", REMOTE_ADDR="10.1.1.2").status_code == 200


def test_the_429_page_is_translated(client, limits, board):
    limits("exports", "0/m")
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        response = client.get(f"/boards/{board.community.slug}/board.csv")
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


@pytest.mark.parametrize(
    "name,url,model",
    [
        ("complaint", "/shop/accounts/complaints/new/", "feedback.Complaint"),
        ("repair", "/shop/accounts/repairs/new/", "repairs.RepairRequest"),
        ("conversation", "CONVERSATION", "bookings.AppointmentMessage"),
    ],
)
def test_complaints_repairs_and_messages_are_limited_and_a_refused_post_writes_nothing(
    client, limits, resident, name, url, model
):
    """Filing a complaint, reporting a repair and writing in a conversation each have their own
    limit (``LINLI_RATE_LIMITS``); past it the POST is 429 and never reaches the view."""
    from django.apps import apps
    from django.urls import reverse

    if url == "CONVERSATION":
        url = reverse("conversation:conversation", args=[1])
    limits(name, "0/m")
    client.force_login(resident)
    response = client.post(url, {"text": "水管漏水", "body": "你好"})
    _assert_refused(response, 60)
    assert not apps.get_model(model).objects.exists()
