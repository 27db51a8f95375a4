"""The Wagtail dashboard flags boards with unpublished changes; the submit button says what it
does in the editor's language, never the workflow's internal name."""

import pytest

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
