"""Property: no sequence of price edits and publishes makes the gate answer a price that is not
in the live revision, or for another StockRecord than the one the live revision lists; a price
edited since (a proposal) is not charged until it is published."""

from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.models import FeeBoardPage
from cms.pricing import PriceNotOnBoard, live_board_snapshot, published_board_price
from cms.services import board_publish
from marketplace.partner.models import StockRecord
from tests.factories import ProductFactory, StockRecordFactory

PRICES = [Decimal(p) for p in ("80.00", "99.50", "120.00", "150.00")]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("price"), st.integers(0, 2), st.sampled_from(PRICES)),
        st.tuples(st.just("remove"), st.integers(0, 2), st.none()),
        st.tuples(st.just("publish"), st.none(), st.none()),
        st.tuples(st.just("unpublish"), st.none(), st.none()),
    ),
    max_size=8,
)


def _check(community, products):
    live = live_board_snapshot(community.pk)
    listed = {s["product_id"]: Decimal(s["price"]) for s in (live[2] if live else [])}
    records = {s["product_id"]: s["stockrecord_id"] for s in (live[2] if live else [])}
    for product in products:
        record = StockRecord.objects.filter(community=community, product=product).first()
        for given_record in (record, None):
            try:
                price = published_board_price(
                    community=community, product=product, stockrecord=given_record
                )
            except PriceNotOnBoard:
                continue
            # Whatever the gate answers is on the live revision, for the StockRecord it lists.
            assert live is not None and price.revision_id == live[1]
            assert price.amount == listed[product.pk]
            assert record is not None and record.pk == records[product.pk]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_no_sequence_of_edits_and_publishes_charges_an_unpublished_price(
    ops, board, provider, community, service
):
    # Each example runs in a savepoint rolled back at the end, so examples are independent.
    with transaction.atomic():
        products = [service] + [
            ProductFactory(title=f"服务{n}", title_en=f"Service {n}") for n in (1, 2)
        ]
        for product in products[1:]:
            StockRecordFactory(
                product=product, partner=provider, community=community, price="120.00"
            )
        board_publish(board=board)
        for op, index, amount in ops:
            product = products[index] if index is not None else None
            if op == "price":
                record, _ = StockRecord.objects.get_or_create(
                    product=product,
                    community=community,
                    defaults={
                        "partner": provider,
                        "price": amount,
                        "price_currency": "CNY",
                        "partner_sku": f"P-{product.pk}",
                    },
                )
                record.price = amount
                record.save()
            elif op == "remove":
                StockRecord.objects.filter(product=product, community=community).delete()
            elif op == "publish":
                board_publish(board=board)
            else:
                page = FeeBoardPage.objects.get(pk=board.pk)
                if page.live:
                    page.unpublish()
            _check(community, products)
        transaction.set_rollback(True)
