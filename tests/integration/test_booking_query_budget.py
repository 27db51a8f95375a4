"""The booking path's query budget: a pay-later one click, a one click with a saved card
(through localstripe), and the Celery tasks one booking sets off each cost at most a fixed
number of queries, so a repeated read or a lost ``select_related`` fails here.

As production runs them: real transactions (``BEGIN``/``COMMIT`` are counted), the web request
with its on-commit callbacks, and each task the request enqueues run on its own afterwards.
``tests/bench/queries.py`` prints the same figures with the statements behind them.
"""

import pytest
from celery import current_app
from celery.app.task import Task

from bookings.models import Appointment, JobOffer, Notice, NoticeDelivery
from tests.payments.conftest import VISA, save_card
from tests.support import local

pytestmark = pytest.mark.django_db(transaction=True)

DISPATCH = "bookings.tasks.dispatch_request"
NOTICE = "bookings.tasks.notify_reminder"

#: User, product, card (none), household, price (record, board, terms), candidates, slot
#: option; BEGIN, the worker lock, the locked re-check (4), order, line, line price, slot,
#: appointment, events, dispatch outbox, reminders, the booked notice, analytics (2), COMMIT.
#: (Unchanged by the work that set these budgets: the Celery side was where it went.)
PAY_LATER_ONE_CLICK = 27
#: The hold (as above, without the confirmation, with the card as payment method), the card
#: read once (it was read three times), the payment claimed, applied (Oscar's Source and
#: Transaction) and confirmed in three more transactions, the order's status written alone.
#: It was 65.
CARD_ONE_CLICK = 60
#: Read the round and appointment (with the worker's user and the provider) under the lock,
#: the open-offer check, the round, the offer, its attempt and the worker's notice. It was 16.
OFFER_TASK = 10
#: Claim, read the notice and its appointment, the channels, the sent mark with the inbox
#: copy and the deliveries (written claimed), then one UPDATE per email and SMS sent (the
#: worker is read only when the message names or reaches them). It was 18.
NOTICE_TASK = 11


@pytest.fixture
def queued(monkeypatch) -> list:
    """Tasks enqueued (name, args, kwargs), recorded instead of run."""
    queue = []

    def apply_async(task, args=None, kwargs=None, **options):
        queue.append((task.name, tuple(args or ()), dict(kwargs or {})))

    monkeypatch.setattr(Task, "apply_async", apply_async)
    return queue


def _book(client, service, start, key):
    return client.post(
        "/shop/book/",
        {"product": service.pk, "start": start.isoformat(), "key": key},
        HTTP_ACCEPT="application/json",
    )


def _warm_up(client, service, queued):
    # The first booking ever creates the slot option and Oscar's analytics rows.
    assert _book(client, service, local(1, 8), "warm-up-key-0001").status_code == 201
    queued.clear()


def _run(name, args, kwargs):
    current_app.tasks[name].apply(args=args, kwargs=kwargs).get()


def test_a_pay_later_one_click_stays_within_its_query_budget(
    client, resident, service, board, worker, second_worker, queued, django_assert_max_num_queries
):
    client.force_login(resident)
    _warm_up(client, service, queued)

    with django_assert_max_num_queries(PAY_LATER_ONE_CLICK):
        response = _book(client, service, local(2, 10), "measured-key-0001")

    assert response.status_code == 201
    appointment = Appointment.objects.get(pk=response.json()["appointment"])
    assert appointment.status == Appointment.Status.CONFIRMED
    assert sorted(name for name, _a, _k in queued) == [DISPATCH, NOTICE]


def test_a_card_one_click_stays_within_its_query_budget(
    client,
    localstripe,
    resident,
    service,
    board,
    worker,
    second_worker,
    queued,
    django_assert_max_num_queries,
):
    save_card(resident, VISA)
    client.force_login(resident)
    _warm_up(client, service, queued)

    with django_assert_max_num_queries(CARD_ONE_CLICK):
        response = _book(client, service, local(2, 10), "measured-key-0002")

    assert response.status_code == 201
    appointment = Appointment.objects.get(pk=response.json()["appointment"])
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.payment_method == Appointment.PaymentMethod.CARD
    assert appointment.order.status == "Confirmed"
    assert appointment.order.status_changes.get().new_status == "Confirmed"


def test_the_tasks_of_one_booking_stay_within_their_query_budget(
    client, resident, service, board, worker, second_worker, queued, django_assert_max_num_queries
):
    client.force_login(resident)
    _warm_up(client, service, queued)
    response = _book(client, service, local(2, 10), "measured-key-0003")
    appointment = Appointment.objects.get(pk=response.json()["appointment"])
    (offer_task,) = [t for t in queued if t[0] == DISPATCH]
    queued.clear()

    with django_assert_max_num_queries(OFFER_TASK):
        _run(*offer_task)

    offer = JobOffer.objects.get(appointment=appointment)
    assert offer.worker == appointment.worker and offer.status == JobOffer.Status.OPEN
    notices = [t for t in queued if t[0] == NOTICE]
    assert len(notices) == 1  # the worker's offer
    with django_assert_max_num_queries(NOTICE_TASK):
        _run(*notices[0])

    notice = Notice.objects.get(offer=offer)
    assert notice.status == Notice.Status.SENT
    # The email goes at once (an SMS may wait for the end of the quiet hours).
    email = NoticeDelivery.objects.get(notice=notice, channel=NoticeDelivery.Channel.EMAIL)
    assert email.status == NoticeDelivery.Status.SENT and email.attempts == 1
