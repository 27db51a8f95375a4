"""The board's editor and approving manager see the life-service prices the board publishes:
each with the published price and, for a provider's pending proposal, the proposed one, on the
edit page, in the workflow's approval modal and in the workflow's preview (issue 21).
"""

import re
from decimal import Decimal

import pytest

from cms.board_prices import ADDED, CHANGED, REMOVED, UNCHANGED, price_rows
from cms.models import FeeBoardPage
from marketplace.partner.models import StockRecord
from tests.factories import ProductFactory, StockRecordFactory

pytestmark = pytest.mark.django_db


def _propose(community, product, price):
    """A provider's price proposal: the StockRecord's new price (the signal drafts a revision)."""
    record = StockRecord.objects.get(community=community, product=product)
    record.price = Decimal(price)
    record.save()


def _row_html(page: str, status: str) -> list[str]:
    return re.findall(
        rf'<tr class="linli-prices__row linli-prices__row--{status}">(.*?)</tr>', page, re.S
    )


def test_price_rows_compare_the_live_revision_with_the_draft(board, community, service, provider):
    _propose(community, service, "135.00")
    new = ProductFactory(title="助浴服务", title_en="Assisted bathing")
    StockRecordFactory(product=new, partner=provider, community=community, price="150.00")

    board = FeeBoardPage.objects.get(pk=board.pk)
    rows = {row.product_id: row for row in price_rows(board.get_latest_revision_as_object())}

    assert rows[service.pk].status == CHANGED
    assert rows[service.pk].published["price"] == Decimal("120.00")
    assert rows[service.pk].proposed["price"] == Decimal("135.00")
    assert rows[new.pk].status == ADDED and rows[new.pk].published is None


def test_a_withdrawn_service_is_listed_as_withdrawn(board, community, service):
    StockRecord.objects.get(community=community, product=service).delete()

    board = FeeBoardPage.objects.get(pk=board.pk)
    (row,) = price_rows(board.get_latest_revision_as_object())

    assert row.status == REMOVED and row.proposed is None
    assert row.published["price"] == Decimal("120.00")


def test_the_edit_page_shows_the_published_price_and_the_pending_proposal(
    client, board, board_editor, community, service
):
    _propose(community, service, "135.00")
    client.force_login(board_editor)

    page = client.get(f"/cms/pages/{board.pk}/edit/").content.decode()

    (changed,) = _row_html(page, CHANGED)
    assert "日常保洁（2 小时）" in changed
    assert changed.index("120.00") < changed.index("135.00")  # published, then proposed
    assert "调价申请" in changed
    assert "有 1 项价格变动待发布。" in page


def test_the_edit_page_shows_the_prices_when_nothing_is_pending(client, board, board_editor):
    client.force_login(board_editor)

    page = client.get(f"/cms/pages/{board.pk}/edit/").content.decode()

    (unchanged,) = _row_html(page, UNCHANGED)
    assert "120.00" in unchanged
    assert not _row_html(page, CHANGED)
    assert "本版本的价格与已公示的价格一致。" in page


def _submitted(board, editor, community, service, price="135.00"):
    _propose(community, service, price)
    board = FeeBoardPage.objects.get(pk=board.pk)
    board.get_workflow().start(board, editor)
    return FeeBoardPage.objects.get(pk=board.pk)


def test_the_approval_modal_shows_the_prices_it_would_publish(
    client, board, board_editor, board_manager, community, service
):
    board = _submitted(board, board_editor, community, service)
    task_state = board.current_workflow_task_state
    client.force_login(board_manager)

    response = client.get(
        f"/cms/pages/workflow/action/{board.pk}/approve/{task_state.pk}/",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )

    html = response.json()["html"]
    (changed,) = _row_html(html, CHANGED)
    assert changed.index("120.00") < changed.index("135.00")


def test_the_workflow_preview_shows_the_prices_it_would_publish(
    client, board, board_editor, board_manager, community, service
):
    client.get(f"/boards/{community.slug}/")  # the live board's fragment is cached at ¥120
    board = _submitted(board, board_editor, community, service)
    task = board.current_workflow_task
    client.force_login(board_manager)

    page = client.get(f"/cms/pages/workflow/preview/{board.pk}/{task.pk}/").content.decode()

    assert "预览：本版本将公示的价格" in page
    preview, board_body = page.split('id="life-services"', 1)
    assert "120.00" in preview and "135.00" in preview
    assert "135.00" in board_body  # the draft, not the cached live fragment


def test_an_english_reviewers_preview_is_the_english_board(
    client, board, board_editor, board_manager, community, service
):
    board = _submitted(board, board_editor, community, service)
    board_manager.language = "en"
    board_manager.save(update_fields=["language"])
    client.force_login(board_manager)

    page = client.get(
        f"/cms/pages/workflow/preview/{board.pk}/{board.current_workflow_task.pk}/"
    ).content.decode()

    assert "Preview: prices this revision would publish" in page
    assert "Regular cleaning (2 hours)" in page
    assert "预览" not in page and "日常保洁" not in page


def test_the_approval_modal_is_in_one_language(
    client, board, board_editor, board_manager, community, service
):
    board = _submitted(board, board_editor, community, service)
    task_state = board.current_workflow_task_state
    url = f"/cms/pages/workflow/action/{board.pk}/approve/{task_state.pk}/"

    client.force_login(board_manager)
    chinese = client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()["html"]
    assert "评论" in chinese and "生活服务及价格" in chinese and "Comment" not in chinese

    board_manager.language = "en"
    board_manager.save(update_fields=["language"])
    english = client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()["html"]
    assert "Comment" in english and "Life services and prices" in english
    assert "评论" not in english
