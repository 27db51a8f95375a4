"""The conversation of an appointment: only the resident, the worker who accepted and the
provider's managers read or write it (404 for everyone else), only from acceptance until a day
after completion; short, rate-limited, escaped; the other side is told."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.appointments.lifecycle import appointment_transition
from bookings.conversation.models import MESSAGE_MAX, AppointmentMessage
from bookings.dispatch.offers import offer_accept
from bookings.dispatch.outbox import dispatch_round_process
from bookings.models import Appointment, AppointmentEvent, Notice
from marketplace.policy import CONVERSATION_RATE
from tests.bookings.factories import WorkerFactory
from tests.factories import PartnerFactory, UserFactory
from tests.support import local

pytestmark = pytest.mark.django_db
Status = Appointment.Status


@pytest.fixture
def accepted(book, worker):
    appointment = book(local(3, 10))
    offer = dispatch_round_process(round_id=appointment.dispatch_requests.get().pk)
    offer_accept(offer=offer, worker=offer.worker)
    appointment.refresh_from_db()
    return appointment


def _url(appointment):
    return f"/appointments/{appointment.pk}/messages/"


def _post(client, user, appointment, body="您好，我在楼下"):
    client.force_login(user)
    return client.post(_url(appointment), {"body": body, "next": "/"})


def test_the_resident_the_worker_and_the_managers_read_and_write(
    client, accepted, resident, provider_manager
):
    worker_user = accepted.worker.user
    for user in (resident, worker_user, provider_manager):
        client.force_login(user)
        assert client.get(_url(accepted)).status_code == 200
        assert _post(client, user, accepted).status_code == 302
    assert AppointmentMessage.objects.filter(appointment=accepted).count() == 3


@pytest.mark.parametrize("who", ["other_resident", "other_worker", "outsider", "other_manager"])
def test_everyone_else_gets_404_and_writes_nothing(
    client, accepted, who, other_resident, outsider, provider, service, community
):
    people = {
        "other_resident": other_resident,
        "other_worker": lambda: (
            WorkerFactory(
                provider=provider, skills=[service.product_class], communities=[community]
            ).user
        ),
        "outsider": outsider,
        "other_manager": lambda: _other_manager(),
    }
    user = people[who]() if callable(people[who]) else people[who]
    client.force_login(user)
    assert client.get(_url(accepted)).status_code == 404
    assert client.post(_url(accepted), {"body": "hi"}).status_code == 404
    assert not AppointmentMessage.objects.exists()


def _other_manager():
    user = UserFactory(email="boss@other.example.cn")
    PartnerFactory(name="别家").users.add(user)
    return user


def test_an_anonymous_visitor_is_sent_to_log_in(client, accepted):
    response = client.get(_url(accepted))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_held_worker_of_an_unaccepted_job_gets_404_and_the_resident_cannot_write_yet(
    client, book, worker, resident
):
    appointment = book(local(3, 10))
    client.force_login(appointment.worker.user)
    assert client.get(_url(appointment)).status_code == 404
    response = _post(client, resident, appointment)
    assert response.status_code == 403
    assert not AppointmentMessage.objects.exists()


def test_it_closes_a_day_after_completion(client, accepted, resident):
    worker_user = accepted.worker.user
    for status in (Status.IN_PROGRESS, Status.COMPLETED):
        appointment_transition(appointment=accepted, to=status, by=worker_user)
    assert _post(client, resident, accepted).status_code == 302  # still open
    AppointmentEvent.objects.filter(appointment=accepted, to_status=Status.COMPLETED).update(
        at=timezone.now() - timedelta(hours=25)
    )
    assert _post(client, resident, accepted).status_code == 403
    assert AppointmentMessage.objects.count() == 1
    client.force_login(worker_user)
    assert client.get(_url(accepted)).status_code == 200  # still readable: the record


def test_too_long_empty_and_too_fast_are_refused_with_nothing_written(client, accepted, resident):
    assert _post(client, resident, accepted, "x" * (MESSAGE_MAX + 1)).status_code == 400
    assert _post(client, resident, accepted, "   ").status_code == 400
    assert not AppointmentMessage.objects.exists()
    for _ in range(CONVERSATION_RATE):
        assert _post(client, resident, accepted).status_code == 302
    assert _post(client, resident, accepted).status_code == 429
    assert AppointmentMessage.objects.count() == CONVERSATION_RATE


def test_a_message_is_escaped_and_the_other_side_is_told_without_phone_numbers(
    client, accepted, resident, provider_manager
):
    worker_user = accepted.worker.user
    worker_user.phone = "13900139000"
    worker_user.save()
    _post(client, resident, accepted, "<script>alert(1)</script>门口见")
    told = Notice.objects.filter(kind=Notice.Kind.MESSAGE).values_list("recipient", flat=True)
    assert sorted(told) == sorted([worker_user.pk, provider_manager.pk])
    # The inbox copy (Oscar shows its body as HTML) carries the message escaped.
    from django.utils import timezone as tz
    from oscar.apps.communication.models import Notification

    from bookings.notify.reminders import reminders_send_due

    reminders_send_due(now=tz.now())
    inbox = Notification.objects.get(recipient=worker_user, body__contains="门口见")
    assert "&lt;script&gt;" in inbox.body and "<script>" not in inbox.body
    client.force_login(worker_user)
    page = client.get(f"/provider/jobs/{accepted.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;门口见" in page and "<script>alert" not in page
    _post(client, worker_user, accepted, "好的，马上到")
    client.force_login(resident)
    page = client.get(accepted.get_absolute_url()).content.decode()
    assert "好的，马上到" in page and accepted.worker.display_name in page
    assert "13900139000" not in page


def test_the_polled_fragment_is_only_the_messages(client, accepted, resident):
    _post(client, resident, accepted, "在吗")
    response = client.get(_url(accepted), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "在吗" in body and "<form" not in body


def test_fuzzed_posts_never_fail_and_a_refusal_writes_nothing(client, accepted, resident):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client.force_login(resident)

    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(body=st.text(max_size=MESSAGE_MAX + 20), next_url=st.text(max_size=40))
    def run(body, next_url):
        before = AppointmentMessage.objects.count()
        response = client.post(_url(accepted), {"body": body, "next": next_url})
        assert response.status_code < 500
        if response.status_code >= 400:
            assert AppointmentMessage.objects.count() == before
        else:
            assert response.status_code == 302
            location = response["Location"]
            assert location.startswith("/") and not location.startswith("//")  # never off-site

    run()
