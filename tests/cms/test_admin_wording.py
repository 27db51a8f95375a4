"""The Wagtail dashboard flags boards with unpublished changes; the submit button says what it
does in the editor's language, never the workflow's internal name."""

import re
from decimal import Decimal

import pytest

from marketplace.partner.models import StockRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_flags_a_board_with_a_draft_to_its_editors_only(
    client, board, board_editor, foreign_board, foreign_editor
):
    board.get_latest_revision_as_object().save_revision(user=board_editor)
    client.force_login(board_editor)
    page = client.get("/cms/").content.decode()
    assert "linli-boards-with-drafts" in page and f"/cms/pages/{board.pk}/edit/" in page

    client.force_login(foreign_editor)
    assert f"/cms/pages/{board.pk}/edit/" not in client.get("/cms/").content.decode()


def test_the_submit_button_does_not_show_the_workflow_name(client, board, board_editor):
    client.force_login(board_editor)
    page = client.get(f"/cms/pages/{board.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "提交审批" in text
    assert "fee board approval" not in text


def _propose(board, price):
    """A provider's proposal on ``board``: its first life service's StockRecord repriced."""
    entry = board.life_services[0]
    record = StockRecord.objects.get(pk=entry["stockrecord_id"])
    record.price = Decimal(price)
    record.save()  # the signal drafts a board revision


def _dashboard_rows(client):
    page = client.get("/cms/").content.decode()
    if "linli-boards-with-drafts" not in page:
        return page, []
    return page, re.findall(
        r'/cms/pages/(\d+)/edit/">', page.split("linli-boards-with-drafts", 1)[1]
    )


def test_the_dashboard_flags_a_pending_price_proposal_on_the_users_own_boards_only(
    client, board, board_editor, foreign_board, foreign_editor
):
    _propose(board, "135.00")
    _propose(foreign_board, "160.00")

    client.force_login(board_editor)
    page, rows = _dashboard_rows(client)
    assert rows == [str(board.pk)]
    assert "1 项价格待发布" in page

    client.force_login(foreign_editor)
    assert _dashboard_rows(client)[1] == [str(foreign_board.pk)]


def test_a_page_permission_on_another_enterprises_board_does_not_show_it_on_the_dashboard(
    client, board, board_editor, foreign_board, foreign_editor
):
    # A misgranted group (another enterprise's editors) gives a Wagtail page permission; the
    # dashboard still lists only the boards of the enterprises the user acts for.
    _propose(foreign_board, "160.00")
    board_editor.groups.add(*foreign_editor.groups.all())

    client.force_login(board_editor)

    assert str(foreign_board.pk) not in _dashboard_rows(client)[1]


def test_the_platform_superuser_sees_every_boards_draft(client, board, foreign_board):
    _propose(board, "135.00")
    _propose(foreign_board, "160.00")
    client.force_login(UserFactory(email="root@example.cn", is_staff=True, is_superuser=True))

    assert sorted(_dashboard_rows(client)[1]) == sorted([str(board.pk), str(foreign_board.pk)])
