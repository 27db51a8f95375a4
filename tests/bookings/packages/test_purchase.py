"""Packages on the fee board, bought by card (captured at purchase, through localstripe),
booked from the service page, refunded to the card. Bad input (another community's package,
a price not published, a declined card, an expired or used-up package): 4xx, nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from oscar.apps.order.models import Order

from bookings.models import Appointment, Package, PackageEntry
from bookings.packages.ledger import ledger_sum, package_draw
from bookings.packages.purchase import packages_expire_and_pay_back
from cms.models import FeeBoardPage, PackageOffer
from cms.services import board_ensure, board_publish
from payments.models import PaymentIntentRecord, Refund
from tests.cms.support import publish_board
from tests.payments.conftest import DECLINED_AT_CHARGE, save_card
from tests.support import local

pytestmark = pytest.mark.django_db
Kind = PackageEntry.Kind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def publish_package(community, service, *, price="330.00", visits=3, days=180) -> PackageOffer:
    """Publish ``community``'s board with one package of ``service``; returns its live row."""
    publish_board(community)
    board = board_ensure(community=community)
    draft = board.get_latest_revision_as_object()
    draft.package_offers = [
        PackageOffer(
            product=service,
            name="保洁 3 次卡",
            name_en="Cleaning, 3 visits",
            visits=visits,
            minutes=120,
            price=Decimal(price),
            valid_days=days,
        )
    ]
    board_publish(board=board, draft=draft)
    return PackageOffer.objects.get(board__community=community)


@pytest.fixture
def offer(community, service):
    return publish_package(community, service)


@pytest.fixture
def visa(localstripe, resident):
    return save_card(resident)


def buy(client, offer, key="k1"):
    return client.post(reverse("bookings:package-buy", args=[offer.pk]), {"key": key})


def nothing_written():
    return (
        not Package.objects.exists()
        and not PaymentIntentRecord.objects.exists()
        and not Order.objects.filter(number__startswith="P").exists()
    )


def test_the_board_publishes_the_package_with_its_refund_policy(client, offer, community):
    page = client.get(f"/boards/{community.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "保洁 3 次卡" in text or "Cleaning, 3 visits" in text
    assert "330.00" in text
    assert reverse("bookings:package-buy", args=[offer.pk]) in text


def test_a_resident_buys_a_package_by_card_captured_at_the_board_price(
    client, resident, offer, visa
):
    client.force_login(resident)
    page = client.get(reverse("bookings:package-buy", args=[offer.pk]))
    assert page.status_code == 200 and "330.00" in page.content.decode()

    assert buy(client, offer).status_code == 302
    assert buy(client, offer).status_code == 302  # the same click again: bought once
    package = Package.objects.get()
    assert (package.resident, package.visits, package.balance) == (resident, 3, 3)
    assert package.price_paid == Decimal("330.00")
    live = FeeBoardPage.objects.get(community=package.community).live_revision_id
    assert package.board_revision_id == live
    intent = PaymentIntentRecord.objects.get()
    assert intent.status == PaymentIntentRecord.Status.CAPTURED
    assert intent.amount_captured == Decimal("330.00") and intent.order_id == package.order_id
    assert package.valid_until - timezone.now() > timedelta(days=179)
    assert ledger_sum(package.pk) == 3


def test_an_unpublished_price_is_never_charged(client, resident, offer, visa):
    # A row changed without a publication (what a draft would do) no longer matches the live
    # revision: refused, nothing written.
    PackageOffer.objects.filter(pk=offer.pk).update(price=Decimal("1.00"))
    client.force_login(resident)
    assert buy(client, offer).status_code == 400
    assert nothing_written()


def test_another_communitys_package_is_refused_and_nothing_written(
    client, resident, other_community, provider, visa
):
    from tests.factories import ProductFactory, StockRecordFactory

    product = ProductFactory(title="外区保洁")
    StockRecordFactory(product=product, partner=provider, community=other_community, price="99")
    elsewhere = publish_package(other_community, product)
    client.force_login(resident)
    response = buy(client, elsewhere)
    assert response.status_code == 400
    assert 'id="package-refusal"' in response.content.decode()
    assert nothing_written()


def test_a_declined_card_buys_nothing(client, resident, offer, localstripe):
    save_card(resident, DECLINED_AT_CHARGE)
    client.force_login(resident)
    assert buy(client, offer).status_code == 402
    assert not Package.objects.exists()
    assert Order.objects.get(number__startswith="P").status == "Cancelled"


def test_a_package_bought_shows_on_the_next_view_of_the_service_page(
    client, resident, offer, visa, service, worker
):
    """The service page remembers that a resident holds no package (no query on each view):
    buying one makes the next view offer it."""
    client.force_login(resident)
    assert 'id="package-book"' not in client.get(service.get_absolute_url()).content.decode()
    buy(client, offer)
    assert 'id="package-book"' in client.get(service.get_absolute_url()).content.decode()


def test_the_service_page_books_with_my_package(client, resident, offer, visa, service, worker):
    client.force_login(resident)
    buy(client, offer)
    package = Package.objects.get()
    page = client.get(service.get_absolute_url())
    assert 'id="package-book"' in page.content.decode()

    start = local(3, 10)
    response = client.post(
        reverse("bookings:package-book", args=[service.pk]),
        {"start": start.isoformat(), "package": package.pk, "key": "n1"},
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(resident=resident)
    assert appointment.payment_method == Appointment.PaymentMethod.PACKAGE
    assert PaymentIntentRecord.objects.count() == 1  # only the purchase: no card for the visit
    package.refresh_from_db()
    assert package.balance == 2 == ledger_sum(package.pk)


@pytest.mark.parametrize("state", ["expired", "exhausted", "someone_elses"])
def test_an_unusable_package_is_refused_and_nothing_booked(
    client, resident, other_resident, offer, visa, service, worker, state
):
    client.force_login(resident)
    buy(client, offer)
    package = Package.objects.get()
    if state == "expired":
        Package.objects.filter(pk=package.pk).update(valid_until=timezone.now())
    elif state == "exhausted":
        for _ in range(3):
            package_draw(package_id=package.pk)
    else:
        client.force_login(other_resident)
    package.refresh_from_db()
    before = (package.balance, PackageEntry.objects.count())
    response = client.post(
        reverse("bookings:package-book", args=[service.pk]),
        {"start": local(3, 10).isoformat(), "package": package.pk, "key": "n2"},
    )
    assert response.status_code == (400 if state == "someone_elses" else 409)
    assert not Appointment.objects.exists()
    package.refresh_from_db()
    assert (package.balance, PackageEntry.objects.count()) == before


def test_the_unused_share_is_refunded_to_the_card(client, resident, offer, visa):
    client.force_login(resident)
    buy(client, offer)
    package = Package.objects.get()
    package_draw(package_id=package.pk)
    response = client.post(reverse("bookings:package-refund", args=[package.pk]))
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.amount == Decimal("220.00") and refund.status == Refund.Status.SUCCEEDED
    intent = PaymentIntentRecord.objects.get()
    assert intent.amount_refunded == Decimal("220.00")
    package.refresh_from_db()
    assert (package.status, package.balance, ledger_sum(package.pk)) == ("refunded", 0, 0)
    # Asking again: 409, nothing paid twice.
    assert client.post(reverse("bookings:package-refund", args=[package.pk])).status_code == 409
    assert Refund.objects.count() == 1


def test_expiry_pays_the_unused_share_back_once(client, resident, offer, visa):
    client.force_login(resident)
    buy(client, offer)
    later = timezone.now() + timedelta(days=181)
    assert packages_expire_and_pay_back(now=later) == 1
    assert packages_expire_and_pay_back(now=later) == 0
    assert Refund.objects.get().amount == Decimal("330.00")


def test_someone_elses_package_cannot_be_refunded(client, other_resident, resident, offer, visa):
    client.force_login(resident)
    buy(client, offer)
    client.force_login(other_resident)
    package = Package.objects.get()
    assert client.post(reverse("bookings:package-refund", args=[package.pk])).status_code == 404
    assert not Refund.objects.exists()
