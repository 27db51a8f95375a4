"""Who pays: quote → approve → authorise → complete → capture, through localstripe, exactly as
appointments are paid; a labour line not on the published board cannot be quoted; a quote
changed after approval voids the old authorisation and needs a new approval."""

from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import PaymentIntentRecord
from repairs.dispatch import offer_accept
from repairs.errors import QuoteLineNotOnBoard, RepairConflict, RepairError, RepairPaymentRefused
from repairs.models import RepairQuote, RepairQuoteLine
from repairs.quotes import quote_approve, quote_propose
from repairs.services import request_check_in, request_complete, request_report
from tests.payments.conftest import save_card

pytestmark = pytest.mark.django_db

IntentStatus = PaymentIntentRecord.Status


@pytest.fixture
def on_site(resident, home, fixer, repair_board, commit):
    """A leak in the resident's home, taken by ``fixer``, who is on site."""
    with commit():
        repair = request_report(
            user=resident, area="home", household=home, category="plumbing", description="漏水"
        )
    offer_accept(offer_id=repair.offers.get(worker=fixer).pk, worker=fixer)
    return request_check_in(request_id=repair.pk, worker=fixer)


@pytest.fixture
def card(localstripe, resident):
    return save_card(resident)


def test_labour_comes_from_the_board_and_materials_at_cost(on_site, fixer):
    quote = quote_propose(
        request_id=on_site.pk,
        worker=fixer,
        labour=[("replace-tap", 2)],
        materials=[("角阀", "18.50", 2)],
    )
    assert quote.labour_total == Decimal("60.00")  # ¥30 per tap, as published
    assert quote.materials_total == Decimal("37.00")
    assert quote.total == Decimal("97.00")
    assert quote.board_revision_id == on_site.community.fee_board.live_revision_id
    assert [(ln.kind, ln.code, ln.amount) for ln in quote.lines.all()] == [
        ("labour", "replace-tap", Decimal("60.00")),
        ("material", "", Decimal("37.00")),
    ]


def test_a_labour_line_not_on_the_published_board_cannot_be_quoted(client, on_site, fixer):
    with pytest.raises(QuoteLineNotOnBoard):
        quote_propose(request_id=on_site.pk, worker=fixer, labour=[("repaint-flat", 1)])
    client.force_login(fixer.user)
    response = client.post(
        reverse("repairs:job-quote", args=[on_site.pk]),
        {"labour1": "repaint-flat", "labour1_qty": 1},
    )
    assert response.status_code == 400
    assert not RepairQuote.objects.exists() and not RepairQuoteLine.objects.exists()


def test_a_draft_board_item_is_not_quotable_until_published(on_site, fixer, repair_board):
    from cms.models import RepairFeeItem

    draft = repair_board.get_latest_revision_as_object()
    draft.repair_fee_items.add(
        RepairFeeItem(code="new-item", name="新项目", amount=Decimal("99"), unit="元/次")
    )
    draft.save_revision()
    with pytest.raises(QuoteLineNotOnBoard):
        quote_propose(request_id=on_site.pk, worker=fixer, labour=[("new-item", 1)])


def test_a_common_area_repair_costs_the_resident_nothing(
    resident, home, fixer, repair_board, commit
):
    with commit():
        repair = request_report(
            user=resident,
            area="common",
            household=home,
            location="3号楼 楼道",
            category="facilities",
            description="楼道灯坏了",
        )
    offer_accept(offer_id=repair.offers.get(worker=fixer).pk, worker=fixer)
    request_check_in(request_id=repair.pk, worker=fixer)
    with pytest.raises(RepairError):
        quote_propose(request_id=repair.pk, worker=fixer, labour=[("replace-switch", 1)])
    assert request_complete(request_id=repair.pk, worker=fixer, notes="换灯").status == "completed"


def test_quote_approve_authorise_complete_capture(client, on_site, fixer, resident, card, commit):
    quote = quote_propose(
        request_id=on_site.pk,
        worker=fixer,
        labour=[("replace-tap", 1)],
        materials=[("水龙头", "45.00", 1)],
    )
    # Nothing is charged, nor can the job be completed, before the resident approves.
    with pytest.raises(RepairConflict):
        request_complete(request_id=on_site.pk, worker=fixer, notes="换了")
    assert not PaymentIntentRecord.objects.exists()

    client.force_login(resident)
    response = client.post(reverse("repairs:approve", args=[on_site.pk]), {"quote": quote.pk})
    assert response.status_code == 302
    quote.refresh_from_db()
    intent = PaymentIntentRecord.objects.get(order=quote.order)
    assert quote.status == "approved" and intent.status == IntentStatus.AUTHORISED
    assert intent.amount == intent.amount_authorised == Decimal("75.00")
    assert quote.order.total_incl_tax == Decimal("75.00") and quote.order.user == resident

    # A double click authorises once.
    with pytest.raises(RepairConflict):
        quote_approve(quote_id=quote.pk, user=resident)
    assert PaymentIntentRecord.objects.count() == 1

    with commit():
        request_complete(request_id=on_site.pk, worker=fixer, notes="换了水龙头")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.CAPTURED
    assert intent.amount_captured == Decimal("75.00")


def test_a_quote_changed_after_approval_voids_the_hold_and_needs_a_new_approval(
    client, on_site, fixer, resident, card, commit
):
    first = quote_propose(request_id=on_site.pk, worker=fixer, labour=[("replace-tap", 1)])
    quote_approve(quote_id=first.pk, user=resident)
    first_intent = PaymentIntentRecord.objects.get(order__repair_quote=first)
    assert first_intent.status == IntentStatus.AUTHORISED

    # On site the worker finds more to do: a new quote replaces the approved one.
    with commit():
        second = quote_propose(
            request_id=on_site.pk, worker=fixer, labour=[("replace-tap", 1), ("clear-drain", 1)]
        )
    first.refresh_from_db()
    first_intent.refresh_from_db()
    assert first.status == "superseded"
    assert first_intent.status == IntentStatus.CANCELED  # the old hold released

    # Approving the old quote (an old page) is refused, and nothing is written.
    client.force_login(resident)
    response = client.post(reverse("repairs:approve", args=[on_site.pk]), {"quote": first.pk})
    assert response.status_code == 409
    assert PaymentIntentRecord.objects.count() == 1
    # The job cannot be completed on the old approval.
    with pytest.raises(RepairConflict):
        request_complete(request_id=on_site.pk, worker=fixer, notes="x")

    quote_approve(quote_id=second.pk, user=resident)
    with commit():
        request_complete(request_id=on_site.pk, worker=fixer, notes="都修好了")
    second_intent = PaymentIntentRecord.objects.get(order__repair_quote=second)
    assert second_intent.status == IntentStatus.CAPTURED
    assert second_intent.amount_captured == Decimal("80.00")


def test_without_a_saved_card_the_approval_is_refused_and_the_quote_still_waits(
    client, on_site, fixer, resident, localstripe
):
    quote = quote_propose(request_id=on_site.pk, worker=fixer, labour=[("replace-tap", 1)])
    with pytest.raises(RepairPaymentRefused):
        quote_approve(quote_id=quote.pk, user=resident)
    quote.refresh_from_db()
    assert quote.status == "proposed"
    assert not PaymentIntentRecord.objects.exists()


def test_another_resident_cannot_approve(client, on_site, fixer, other_resident):
    quote = quote_propose(request_id=on_site.pk, worker=fixer, labour=[("replace-tap", 1)])
    client.force_login(other_resident)
    response = client.post(reverse("repairs:approve", args=[on_site.pk]), {"quote": quote.pk})
    assert response.status_code == 404
    with pytest.raises(RepairConflict):
        quote_approve(quote_id=quote.pk, user=other_resident)
    quote.refresh_from_db()
    assert quote.status == "proposed" and quote.order_id is None


def test_only_the_worker_on_site_may_quote(on_site, second_fixer):
    with pytest.raises(RepairConflict):
        quote_propose(request_id=on_site.pk, worker=second_fixer, labour=[("replace-tap", 1)])
    assert not RepairQuote.objects.exists()
