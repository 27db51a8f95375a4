"""The price gate: only a price on the community's published fee board is chargeable."""

from decimal import Decimal

import pytest
from django.utils import translation

from cms.models import FeeBoardPage
from cms.pricing import PriceNotOnBoard, published_board_price
from cms.services import board_ensure, board_publish
from marketplace.partner.models import StockRecord
from tests.cms.support import publish_board
from tests.factories import ProductFactory, StockRecordFactory


def _price(community, product):
    return StockRecord.objects.get(community=community, product=product)


def test_a_published_price_is_bookable_with_its_revision(board, service, community):
    price = published_board_price(community=community, product=service)
    assert price.amount == Decimal("120.00")
    assert price.revision_id == board.live_revision_id
    assert price.board_id == board.pk


def test_the_stockrecord_passed_in_is_checked_too(board, service, community):
    record = _price(community, service)
    assert published_board_price(community=community, product=service, stockrecord=record).amount


def test_a_proposed_price_is_charged_only_once_published_and_the_old_one_meanwhile(
    board, service, community
):
    record = _price(community, service)
    record.price = Decimal("135.00")
    record.save()  # a proposal: a draft board revision awaits publication

    # Still on sale, at the published price, for as long as the draft waits.
    for given in (None, record):
        price = published_board_price(community=community, product=service, stockrecord=given)
        assert price.amount == Decimal("120.00") and price.revision_id == board.live_revision_id

    board_publish(board=FeeBoardPage.objects.get(pk=board.pk))
    assert published_board_price(community=community, product=service).amount == Decimal("135")


def test_another_providers_stockrecord_is_not_the_published_offer(
    board, service, community, other_provider
):
    _price(community, service).delete()
    StockRecordFactory(product=service, partner=other_provider, community=community, price="120")
    with pytest.raises(PriceNotOnBoard) as refused:
        published_board_price(community=community, product=service)
    assert refused.value.reason == "other_provider"
    publish_board(community)
    assert published_board_price(community=community, product=service).amount == Decimal("120")


def test_the_refusal_names_the_community_in_the_residents_language(board, service, community):
    FeeBoardPage.objects.get(pk=board.pk).unpublish()
    with translation.override("zh-hans"), pytest.raises(PriceNotOnBoard) as zh:
        published_board_price(community=community, product=service)
    assert "望京花园" in str(zh.value)
    assert "公示" in str(zh.value)
    with translation.override("en"), pytest.raises(PriceNotOnBoard) as en:
        published_board_price(community=community, product=service)
    assert str(en.value) == (
        "This price is not on the published fee board of Wangjing Garden; it becomes "
        "bookable when the enterprise publishes it."
    )


def test_a_service_added_after_publication_is_not_bookable(board, provider, community):
    newcomer = ProductFactory(title="擦玻璃", title_en="Window cleaning")
    StockRecordFactory(product=newcomer, partner=provider, community=community, price="160.00")
    with pytest.raises(PriceNotOnBoard) as refused:
        published_board_price(community=community, product=newcomer)
    assert refused.value.reason == "not_listed"


def test_a_community_without_a_live_board_charges_nothing(service, community, site_tree):
    with pytest.raises(PriceNotOnBoard) as refused:
        published_board_price(community=community, product=service)
    assert refused.value.reason == "no_board"
    board_ensure(community=community)  # a draft board is not a published one
    with pytest.raises(PriceNotOnBoard):
        published_board_price(community=community, product=service)


def test_an_unpublished_board_charges_nothing(board, service, community):
    FeeBoardPage.objects.get(pk=board.pk).unpublish()
    with pytest.raises(PriceNotOnBoard):
        published_board_price(community=community, product=service)


def test_another_communitys_stockrecord_is_not_this_boards_price(
    board, service, provider, other_community
):
    foreign = StockRecordFactory(
        product=service, partner=provider, community=other_community, price="120.00"
    )
    with pytest.raises(PriceNotOnBoard):
        published_board_price(community=board.community, product=service, stockrecord=foreign)


def test_the_gate_costs_one_query_or_two(board, service, community, django_assert_num_queries):
    record = _price(community, service)
    with django_assert_num_queries(2):  # which revision is live, and (once) its snapshot
        published_board_price(community=community, product=service, stockrecord=record)
    with django_assert_num_queries(1):
        published_board_price(community=community, product=service, stockrecord=record)
    with django_assert_num_queries(2):
        published_board_price(community=community, product=service)


def test_the_kept_snapshot_gives_way_to_a_new_publication_at_once(board, service, community):
    first = published_board_price(community=community, product=service)
    record = _price(community, service)
    record.price = Decimal("128.00")
    record.save()
    # A proposal: the live revision (and its kept snapshot) still says 120, and 120 is charged.
    assert published_board_price(community=community, product=service) == first
    publish_board(community)
    now = published_board_price(community=community, product=service)
    assert now.amount == Decimal("128.00") and now.revision_id != first.revision_id


def test_a_price_change_leaves_a_draft_revision_awaiting_publication(board, service, community):
    live_revision = board.live_revision_id
    record = _price(community, service)
    record.price = Decimal("128.00")
    record.save()

    board.refresh_from_db()
    assert board.has_unpublished_changes
    assert board.live_revision_id == live_revision
    draft = board.get_latest_revision()
    assert draft.pk != live_revision
    prices = {s["product_id"]: s["price"] for s in draft.content["life_services"]}
    assert prices[service.pk] == "128.00"

    # Saving the same price again does not pile up revisions.
    record.save()
    board.refresh_from_db()
    assert board.get_latest_revision().pk == draft.pk


def test_a_deleted_price_leaves_a_draft_without_it(board, service, community):
    _price(community, service).delete()
    board.refresh_from_db()
    assert board.get_latest_revision().content["life_services"] == []
    with pytest.raises(PriceNotOnBoard):
        published_board_price(community=community, product=service)


def test_the_helper_republishes_with_current_prices(board, service, community):
    record = _price(community, service)
    record.price = Decimal("140.00")
    record.save()
    again = publish_board(community)
    assert again.pk == board.pk
    assert published_board_price(community=community, product=service).amount == Decimal("140")
