"""Publishing a fee board: completeness of its sections, and the demo's published boards."""

import json

import pytest
from django.core.management import call_command
from django.utils import translation
from wagtail.models import Revision

from cms.boards import BoardIncomplete, missing_sections
from cms.models import BoardPublication, FeeBoardPage
from cms.pricing import published_board_price
from cms.seed import board_complete_demo_content
from cms.services import board_ensure, board_publish
from marketplace.partner.models import StockRecord

# --- completeness ------------------------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_an_empty_board_is_refused_with_the_list_of_missing_sections(community, site_tree, english):
    board = board_ensure(community=community)
    with pytest.raises(BoardIncomplete) as refused:
        board_publish(board=board)
    for section in (
        "Charging items and standards",
        "Staff on duty",
        "How to report a repair",
        "Use of the maintenance fund",
        "Complaint telephones (street office telephone)",
    ):
        assert section in refused.value.missing
        assert section in refused.value.message
    board.refresh_from_db()
    assert not board.live
    assert not BoardPublication.objects.exists()


def test_a_partly_filled_section_names_the_empty_field(community, site_tree, english):
    board = board_ensure(community=community)
    draft = board_complete_demo_content(board.get_latest_revision_as_object())
    draft.complaint_phone_street = ""
    draft.fee_items = []
    assert missing_sections(draft) == [
        "Complaint telephones (street office telephone)",
        "Charging items and standards",
    ]
    with pytest.raises(BoardIncomplete):
        board_publish(board=board, draft=draft)


def test_a_complete_board_without_services_may_be_published(community, site_tree):
    board = board_ensure(community=community)
    draft = board_complete_demo_content(board.get_latest_revision_as_object())
    board_publish(board=board, draft=draft)
    board.refresh_from_db()
    assert board.live and board.life_services == []


def test_the_demo_has_a_complete_published_board_per_community(db):
    call_command("seed_demo", verbosity=0)
    revisions = Revision.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Revision.objects.count() == revisions  # idempotent
    boards = FeeBoardPage.objects.select_related("community")
    assert boards.count() == 4
    for board in boards:
        assert board.live and not board.has_unpublished_changes
        assert missing_sections(board) == []
        records = StockRecord.objects.filter(community=board.community)
        assert len(board.life_services) == records.count() > 0
        for record in records:
            price = published_board_price(
                community=board.community, product=record.product, stockrecord=record
            )
            assert price.amount == record.price
    assert json.loads(json.dumps(FeeBoardPage.objects.first().life_services))  # a JSON snapshot
