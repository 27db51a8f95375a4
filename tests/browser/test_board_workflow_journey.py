# ruff: noqa: F811  (fixtures imported from tests/cms/conftest.py are parameters here)
"""Browser journey (issue 14 §4): an editor empties 公共设施 and submits: refused, naming it;
fills it in and submits; the manager approves from the dashboard; the public board shows it."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from cms.models import FeeBoardPage
from tests.cms.conftest import board_editor, board_manager, site_tree  # noqa: F401
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_FACILITIES = "活动中心、健身场地、儿童游乐区、快递驿站、充电桩 60 个。"


def _submit(page):
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator('button[name="action-submit"]').click()
    # Wagtail's autosave may have saved the emptied field as a draft meanwhile; its dialog then
    # asks whether to go on with this window's version (yes).
    conflict = page.get_by_role("dialog").filter(
        has_text=re.compile("another window|其他窗口|另一个窗口")
    )
    try:
        conflict.get_by_role("button", name=re.compile("提交|Submit")).click(timeout=3_000)
    except PlaywrightTimeoutError:
        pass


def test_an_emptied_section_is_refused_at_submission_and_published_once_filled_in(
    browser_page, _playwright_browser, live_server, board, board_editor, board_manager
):
    editor = browser_page  # zh-CN
    login(editor, board_editor.email)
    editor.goto(f"/cms/pages/{board.pk}/edit/")
    editor.locator("#id_public_facilities").fill("")
    _submit(editor)
    editor.wait_for_load_state()
    # Refused on the edit page, naming the section in the editor's language.
    assert re.search(r"/cms/pages/\d+/edit/", editor.url)
    error = editor.get_by_text(re.compile("缺少.*公共设施|公共设施.*缺少|Missing.*公共设施"))
    assert error.first.is_visible()
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.current_workflow_state is None

    # Filled in (with more chargers) and submitted: it goes to the manager.
    editor.locator("#id_public_facilities").fill(NEW_FACILITIES)
    _submit(editor)
    editor.wait_for_url(re.compile(r"/cms/(pages/\d+/)?$"))
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.current_workflow_state is not None

    # The manager approves it from the dashboard's "awaiting your review" panel.
    context = _playwright_browser.new_context(base_url=live_server.url, locale="zh-CN")
    manager = context.new_page()
    login(manager, board_manager.email)
    manager.goto("/cms/")
    panel = manager.locator("#awaiting-review-content, [id^=awaiting-review]").first
    panel.locator("[data-w-dropdown-target='toggle']").first.click()
    panel.locator("button[data-workflow-action-url*='/approve/']:not([data-launch-modal])").click()
    manager.wait_for_load_state()
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.live and not board.has_unpublished_changes
    assert board.public_facilities == NEW_FACILITIES

    manager.goto("/boards/wangjing-garden/")
    assert NEW_FACILITIES in manager.content()
    context.close()
