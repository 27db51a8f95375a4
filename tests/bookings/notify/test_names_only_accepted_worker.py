"""No text a resident reads names a worker who has not accepted (issue 14, section 3): the 2 h
reminder named the held worker, and a minute later the resident was told no worker was
available. Reminders (email and SMS), the calendar file and the appointment page name a worker
only once they have accepted the job."""

from datetime import timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from bookings.dispatch.offers import offer_accept
from bookings.dispatch.outbox import dispatch_round_process
from bookings.notify import channels as sms
from bookings.notify.reminders import reminders_send_due
from tests.bookings.notify.conftest import tell_now
from tests.support import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(resident):
    resident.phone = "13800138000"
    resident.save()
    return resident


def _send_only(appointment, before):
    """Send the reminders due ``before`` the start, after those due earlier (left out)."""
    if before < timedelta(hours=24):
        reminders_send_due(now=appointment.start - timedelta(hours=24) + timedelta(seconds=1))
        mail.outbox.clear()
        sms.outbox.clear()
    return reminders_send_due(now=appointment.start - before + timedelta(seconds=1))


def _texts_to(user):
    bodies = [f"{m.subject}\n{m.body}" for m in mail.outbox if m.to == [user.email]]
    return bodies + [text for phone, text in sms.outbox if phone == user.phone]


@pytest.mark.parametrize("before", [timedelta(hours=24), timedelta(hours=2)])
def test_a_reminder_before_acceptance_names_no_worker(book, worker, reachable, before):
    appointment = book(local(3, 10))
    tell_now()
    dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)  # offered, unanswered
    held = appointment.worker
    assert _send_only(appointment, before) == 1
    texts = _texts_to(reachable)
    assert len(texts) == 2  # the email and the SMS
    for text in texts:
        assert held.display_name not in text
        assert held.user.first_name not in text


@pytest.mark.parametrize("before", [timedelta(hours=24), timedelta(hours=2)])
def test_a_reminder_after_acceptance_names_the_worker(book, worker, reachable, before):
    appointment = book(local(3, 10))
    tell_now()
    offer = dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    offer_accept(offer=offer, worker=offer.worker)
    tell_now()
    _send_only(appointment, before)
    texts = _texts_to(reachable)
    assert len(texts) == 2
    assert all(offer.worker.display_name in text for text in texts)


def test_the_calendar_and_the_page_name_the_worker_only_once_accepted(
    client, book, worker, resident
):
    appointment = book(local(3, 10))
    tell_now()
    held = appointment.worker
    client.force_login(resident)

    def ics_description():
        response = client.get(f"/shop/accounts/appointments/{appointment.pk}.ics")
        (event,) = Calendar.from_ical(response.content).walk("VEVENT")
        return str(event["description"])

    def page():
        return client.get(appointment.get_absolute_url()).content.decode()

    assert held.display_name not in ics_description()
    assert held.display_name not in page()
    offer = dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    offer_accept(offer=offer, worker=offer.worker)
    tell_now()
    assert held.display_name in ics_description()
    assert held.display_name in page()
