"""The .ics of an appointment, and the household pages."""

import pytest
from icalendar import Calendar

from tests.factories import HouseholdFactory
from tests.support import local

pytestmark = pytest.mark.django_db


def test_an_appointment_downloads_as_an_ics_event(client, book, resident, worker):
    appointment = book(local(2, 10))
    client.force_login(resident)
    response = client.get(f"/shop/accounts/appointments/{appointment.pk}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == local(2, 10)
    assert event.decoded("dtend") == local(2, 12)
    assert str(event["summary"]) == "日常保洁（2 小时）"
    assert str(event["location"]).startswith(appointment.community.address)
    assert str(event["status"]) == "CONFIRMED"
    # Nobody has accepted yet: the held worker is not named (issue 14, section 3).
    assert "刘秀英" not in str(event["description"])


def test_a_resident_adds_households_and_changes_the_default(client, resident, other_community):
    client.force_login(resident)
    first = resident.households.get()
    response = client.post(
        "/shop/accounts/households/",
        {
            "community": other_community.pk,
            "building": "9",
            "room": "101",
            "contact_name": "王芳",
            "contact_phone": "+86 138 0013 8001",
        },
    )
    assert response.status_code == 302
    second = resident.households.exclude(pk=first.pk).get()
    assert not second.is_default and second.contact_phone == "13800138001"
    client.post(f"/shop/accounts/households/{second.pk}/default/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not first.is_default


def test_a_household_form_with_a_bad_phone_is_shown_again(client, resident, community):
    client.force_login(resident)
    response = client.post(
        "/shop/accounts/households/",
        {
            "community": community.pk,
            "building": "9",
            "room": "101",
            "contact_name": "王芳",
            "contact_phone": "12345",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "valid mainland China mobile number" in response.content.decode()
    assert resident.households.count() == 1


def test_next_only_goes_to_this_site(client, community):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/shop/accounts/households/?next=https://evil.example/",
        {
            "community": community.pk,
            "building": "1",
            "room": "1",
            "contact_name": "张",
            "contact_phone": "13900000000",
            "next": "//evil.example/",
        },
    )
    assert response["Location"] == "/shop/accounts/households/"
    assert HouseholdFactory._meta.model.objects.get(user=user).is_default
