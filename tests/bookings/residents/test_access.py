"""A resident sees only their own appointments, orders and calendar; everyone else gets 404."""

import pytest

from bookings.models import Appointment
from tests.support import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(book, worker):
    return book(local(2, 10))


@pytest.mark.parametrize("suffix", ["", "cancel/", "reschedule/"])
@pytest.mark.parametrize("persona", ["other_resident", "outsider", "provider_manager"])
def test_another_persons_appointment_pages_are_404(client, request, appointment, suffix, persona):
    client.force_login(request.getfixturevalue(persona))
    url = f"/shop/accounts/appointments/{appointment.pk}/{suffix}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"start": local(2, 14).isoformat()}).status_code == 404
    assert client.get(f"/shop/accounts/appointments/{appointment.pk}.ics").status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.start == local(2, 10)


def test_another_residents_order_is_404(client, appointment, other_resident):
    client.force_login(other_resident)
    assert client.get(f"/shop/accounts/orders/{appointment.order.number}/").status_code == 404


def test_the_owner_sees_them(client, appointment, resident):
    client.force_login(resident)
    for url in [
        f"/shop/accounts/appointments/{appointment.pk}/",
        f"/shop/accounts/appointments/{appointment.pk}/cancel/",
        f"/shop/accounts/appointments/{appointment.pk}/reschedule/",
        f"/shop/accounts/appointments/{appointment.pk}.ics",
        f"/shop/accounts/orders/{appointment.order.number}/",
        "/shop/accounts/appointments/",
    ]:
        assert client.get(url).status_code == 200, url


def test_my_appointments_lists_only_mine(client, book, appointment, other_resident, resident):
    theirs = book(local(3, 10), user=other_resident)
    client.force_login(resident)
    page = client.get("/shop/accounts/appointments/")
    assert list(page.context["upcoming"]) == [appointment]
    assert theirs not in page.context["past"]


def test_anonymous_visitors_are_sent_to_log_in(client, appointment):
    for url in [
        "/shop/accounts/appointments/",
        f"/shop/accounts/appointments/{appointment.pk}/",
        "/shop/accounts/households/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_calendar_feed_answers_only_to_its_current_token(
    client, appointment, resident, other_resident
):
    client.force_login(resident)
    client.post("/shop/accounts/calendar/", {"action": "rotate"})
    token = resident.calendar_feed.token
    client.logout()
    feed = client.get(f"/shop/calendar/{token}.ics")
    assert feed.status_code == 200
    assert b"BEGIN:VEVENT" in feed.content
    assert client.get("/shop/calendar/guessed-token.ics").status_code == 404
    # A new address retires the old one; revoking retires both.
    client.force_login(resident)
    client.post("/shop/accounts/calendar/", {"action": "rotate"})
    resident.refresh_from_db()
    assert client.get(f"/shop/calendar/{token}.ics").status_code == 404
    new_token = resident.calendar_feed.token
    assert client.get(f"/shop/calendar/{new_token}.ics").status_code == 200
    client.post("/shop/accounts/calendar/", {"action": "revoke"})
    assert client.get(f"/shop/calendar/{new_token}.ics").status_code == 404


def test_a_feed_shows_only_its_owners_appointments(
    client, book, appointment, resident, other_resident
):
    from icalendar import Calendar

    theirs = book(local(3, 10), user=other_resident)
    client.force_login(resident)
    client.post("/shop/accounts/calendar/", {"action": "rotate"})
    body = client.get(f"/shop/calendar/{resident.calendar_feed.token}.ics").content
    uids = [str(e["uid"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert uids == [f"appointment-{appointment.pk}@linli"]
    assert f"appointment-{theirs.pk}@linli" not in body.decode()


def test_someone_elses_household_cannot_be_made_default(client, resident, other_resident):
    theirs = other_resident.households.get()
    client.force_login(resident)
    assert client.post(f"/shop/accounts/households/{theirs.pk}/default/").status_code == 404
