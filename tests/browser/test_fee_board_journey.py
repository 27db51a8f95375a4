# ruff: noqa: F811  (fixtures imported from tests/cms/conftest.py are parameters here)
"""Browser journey: an editor changes a fee and submits, a manager approves and publishes, and
the public board and its change log show the new price."""

import re

import pytest

from cms.models import FeeBoardPage
from tests.cms.conftest import board_editor, board_manager, site_tree  # noqa: F401
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_submits_a_fee_change_and_a_manager_publishes_it(
    browser_page,
    _playwright_browser,
    live_server,
    board,
    board_editor,
    board_manager,
):
    page = browser_page
    # The editor raises the high-rise property fee from ¥3.20 to ¥3.45 and submits it.
    login(page, board_editor.email)
    page.goto(f"/cms/pages/{board.pk}/edit/")
    amount = page.locator("#id_fee_items-0-amount")
    assert amount.input_value() == "3.20"
    amount.fill("3.45")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator('button[name="action-submit"]').click()
    page.wait_for_url(re.compile(r"/cms/"))
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.current_workflow_state is not None
    assert str(board.fee_items.first().amount) == "3.20"  # live content unchanged

    # Still the old price in public while the change awaits approval.
    public = _playwright_browser.new_context(base_url=live_server.url, locale="en-US")
    visitor = public.new_page()
    visitor.goto("/boards/wangjing-garden/")
    assert "¥3.20" in visitor.content()

    # The manager approves it from the edit page, which publishes it.
    manager_context = _playwright_browser.new_context(base_url=live_server.url, locale="zh-CN")
    manager = manager_context.new_page()
    login(manager, board_manager.email)
    manager.goto(f"/cms/pages/{board.pk}/edit/")
    manager.locator("footer [data-w-dropdown-target='toggle']").first.click()
    manager.locator(
        'button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])'
    ).first.click()
    manager.wait_for_url(re.compile(r"/cms/"))
    board.refresh_from_db()
    assert board.live and not board.has_unpublished_changes

    visitor.goto("/boards/wangjing-garden/")
    assert "¥3.45" in visitor.content()
    visitor.goto("/boards/wangjing-garden/changes/")
    text = re.sub(r"\s+", " ", visitor.locator("main").inner_text())
    assert "¥3.20 → ¥3.45" in text
    assert "Property service fee" in text
    public.close()
    manager_context.close()
