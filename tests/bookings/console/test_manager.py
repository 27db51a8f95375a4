"""A manager's pages: the team's week, services and proposed prices (a draft board revision
until the enterprise publishes), and earnings (captured minus refunded) with CSV export."""

import csv
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from bookings.console.earnings import EarningsRow, earnings_csv
from bookings.models import Appointment
from cms.models import FeeBoardPage
from cms.pricing import live_board_snapshot, published_board_price
from cms.services import board_publish
from marketplace.partner.models import StockRecord
from payments.models import PaymentIntentRecord
from payments.services import payment_refund
from tests.bookings.console.conftest import accept, starting_in
from tests.payments.conftest import save_card
from tests.support import local

pytestmark = pytest.mark.django_db
Status = Appointment.Status


def test_the_team_page_shows_each_worker_with_hours_and_jobs(
    client, job, worker, second_worker, provider_manager
):
    client.force_login(provider_manager)
    response = client.get(f"/provider/team/?week={local(2, 0):%Y-%m-%d}")
    rows = {row.worker.pk: row for row in response.context["rows"]}
    assert set(rows) == {worker.pk, second_worker.pk}
    assert rows[job.worker_id].job_count == 1
    day = next(d for d in rows[job.worker_id].days if d.day == local(2, 0).date())
    assert [a.pk for a in day.jobs] == [job.pk]
    assert [f"{h.start:%H:%M}" for h in day.hours] == ["08:00"]


def test_a_proposed_price_is_a_draft_until_the_enterprise_publishes(
    client, board, service, community, provider_manager, english
):
    record = StockRecord.objects.get(product=service, community=community)
    live_revision = FeeBoardPage.objects.get(pk=board.pk).live_revision_id
    client.force_login(provider_manager)
    page = client.get("/provider/services/").content.decode()
    assert "Regular cleaning (2 hours)" in page and "¥120.00" in page

    response = client.post(
        f"/provider/services/{record.pk}/price/", {f"sr{record.pk}-price": "135"}
    )
    assert response.status_code == 302
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.live_revision_id == live_revision  # not published
    draft = board.get_latest_revision()
    assert draft.pk != live_revision
    assert any(
        s.get("product_id") == service.pk and Decimal(str(s["price"])) == Decimal("135.00")
        for s in draft.as_object().life_services
    )
    # The public board still says ¥120, and ¥120 is charged until ¥135 is published.
    [listed] = [s for s in live_board_snapshot(community.pk)[2] if s["product_id"] == service.pk]
    assert Decimal(str(listed["price"])) == Decimal("120.00")
    assert published_board_price(community=community, product=service).amount == Decimal("120")
    [(shown, published, _form)] = client.get("/provider/services/").context["rows"]
    assert (shown.price, published) == (Decimal("135.00"), Decimal("120.00"))

    board_publish(board=board)  # the enterprise publishes
    assert published_board_price(community=community, product=service).amount == Decimal("135")


def test_a_zero_price_is_refused(client, board, service, community, provider_manager):
    record = StockRecord.objects.get(product=service, community=community)
    client.force_login(provider_manager)
    client.post(f"/provider/services/{record.pk}/price/", {f"sr{record.pk}-price": "0"})
    record.refresh_from_db()
    assert record.price == Decimal("120.00")


@pytest.fixture
def paid_jobs(localstripe, resident, other_resident, book, worker, second_worker):
    """Two completed card jobs on the same day (one per worker); one refunded ¥20."""
    from bookings.console import jobs as console

    save_card(resident)
    save_card(other_resident)
    jobs = [book(local(1, 10)), book(local(1, 10), user=other_resident)]
    for job in jobs:
        accept(job)
        starting_in(job, 5)
        console.appointment_check_in(appointment=job, worker=job.worker)
        console.appointment_complete(appointment=job, worker=job.worker, notes="")
    intent = PaymentIntentRecord.objects.get(order=jobs[1].order)
    payment_refund(intent=intent, amount=Decimal("20.00"), idempotency_key="console-test-refund")
    return jobs


def test_earnings_are_captured_minus_refunded_per_worker(client, paid_jobs, provider_manager):
    client.force_login(provider_manager)
    response = client.get("/provider/earnings/?period=day")
    rows = {r.worker.pk: r for r in response.context["rows"]}
    first, second = paid_jobs
    assert (rows[first.worker_id].captured, rows[first.worker_id].net) == (
        Decimal("120.00"),
        Decimal("120.00"),
    )
    assert (rows[second.worker_id].refunded, rows[second.worker_id].net) == (
        Decimal("20.00"),
        Decimal("100.00"),
    )
    assert response.context["totals"]["net"] == Decimal("220.00")


def test_earnings_export_as_csv(client, paid_jobs, provider_manager):
    client.force_login(provider_manager)
    response = client.get("/provider/earnings/?period=month&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 3 and len(rows[0]) == 7  # header, one row per worker
    first, second = paid_jobs
    by_worker = {r[2]: r[3:] for r in rows[1:]}
    assert by_worker[first.worker.display_name] == ["1", "120.00", "0.00", "120.00"]
    assert by_worker[second.worker.display_name] == ["1", "120.00", "20.00", "100.00"]


def test_another_providers_manager_sees_none_of_our_earnings(
    client, paid_jobs, other_provider_world
):
    client.force_login(other_provider_world["manager"])
    assert client.get("/provider/earnings/").context["rows"] == []


def test_the_earnings_csv_neutralises_formulas_and_keeps_amounts_numbers():
    """A worker's name is the resident-facing text a provider types: never a live formula;
    a negative net (refunded more than captured in the period) stays a number."""
    worker = SimpleNamespace(display_name='=HYPERLINK("http://example.invalid/","x")')
    row = EarningsRow(
        period=date(2026, 1, 5),
        worker=worker,
        jobs=1,
        captured=Decimal("0"),
        refunded=Decimal("500"),
    )
    text = earnings_csv([row], period="week")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][2] == "'" + worker.display_name
    assert rows[1][4:] == ["0.00", "500.00", "-500.00"]


def test_the_earnings_csv_is_a_download(client, provider_manager):
    client.force_login(provider_manager)
    response = client.get("/provider/earnings/?period=month&format=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="earnings-')
    assert response.content.decode("utf-8").startswith("\ufeff")
