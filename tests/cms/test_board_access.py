"""Who may read, edit, submit and publish fee boards."""

from decimal import Decimal

import pytest
from wagtail.actions.publish_page_revision import PublishPagePermissionError
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.models import FeeBoardPage
from cms.pricing import published_board_price
from cms.services import board_ensure, board_publish
from marketplace.partner.models import StockRecord


def _edit_url(page):
    return f"/cms/pages/{page.pk}/edit/"


def test_anonymous_visitors_read_but_cannot_edit(client, board):
    assert client.get("/boards/wangjing-garden/").status_code == 200
    response = client.get(_edit_url(board))
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(_edit_url(board), {"title": "x", "action-publish": "1"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert FeeBoardPage.objects.get(pk=board.pk).title == board.title


def test_a_resident_without_admin_access_is_turned_away(client, board, resident):
    client.force_login(resident)
    response = client.get(_edit_url(board))
    assert response.status_code in (302, 403)
    assert client.get("/cms/").status_code in (302, 403)


def test_an_editor_edits_own_enterprise_boards_only(client, board, foreign_board, board_editor):
    client.force_login(board_editor)
    assert client.get(_edit_url(board)).status_code == 200
    denied = client.get(_edit_url(foreign_board))
    assert denied.status_code in (302, 403)
    if denied.status_code == 302:
        assert "/edit/" not in denied["Location"]
    response = client.post(_edit_url(foreign_board), {"title": "改掉", "action-publish": "1"})
    assert response.status_code in (302, 403)
    assert FeeBoardPage.objects.get(pk=foreign_board.pk).title == foreign_board.title


def test_an_editor_does_not_see_another_enterprises_board_in_the_explorer(
    client, board, foreign_board, board_editor
):
    client.force_login(board_editor)
    index = Page.objects.get(slug="boards")
    # The explorer opens at the editor's own part of the tree, never above it.
    response = client.get(f"/cms/pages/{index.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == f"/cms/pages/{board.pk}/"
    body = response.content.decode() + client.get("/cms/pages/search/?q=公示栏").content.decode()
    assert board.title in body
    assert foreign_board.title not in body
    assert client.get(f"/cms/pages/{foreign_board.pk}/").status_code in (302, 403, 404)


def test_an_editor_cannot_publish_and_a_manager_can(board, board_editor, board_manager):
    with pytest.raises(PublishPagePermissionError):
        board_publish(board=board, user=board_editor)
    revision = board_publish(board=board, user=board_manager)
    board.refresh_from_db()
    assert board.live_revision_id == revision.pk


def test_a_manager_cannot_publish_another_enterprises_board(foreign_board, board_manager):
    with pytest.raises(PublishPagePermissionError):
        board_publish(board=foreign_board, user=board_manager)


def test_the_editor_submits_and_the_manager_approves_through_the_workflow(
    board, service, community, board_editor, board_manager
):
    record = StockRecord.objects.get(community=community, product=service)
    record.price = Decimal("118.00")
    record.save()
    board = FeeBoardPage.objects.get(pk=board.pk)
    workflow = board.get_workflow()
    assert workflow is not None
    state = workflow.start(board, board_editor)
    task_state = state.current_task_state
    task = task_state.task.specific
    assert not task.user_can_access_editor(board, board_editor)
    assert task.user_can_access_editor(board, board_manager)
    # Awaiting approval: the published ¥120 is still what is charged.
    assert published_board_price(community=community, product=service).amount == Decimal("120")

    task.on_action(task_state, board_manager, "approve")
    board.refresh_from_db()
    assert not board.has_unpublished_changes
    assert published_board_price(community=community, product=service).amount == Decimal("118")


def _form_data(board, **overrides):
    fields = {
        "title": board.title,
        "slug": board.slug,
        "community": board.community_id,
        "project_info": "",
        "project_info_en": "",
        "project_manager": "",
        "project_manager_phone": "",
        "service_phone": "010-1",
        "office_hours": "",
        "complaint_phone_enterprise": "010-2",
        "complaint_phone_street": "",
        "complaint_phone_hotline": "12345",
        "service_grade": "",
        "service_standards": "",
        "service_standards_en": "",
        "repair_channels": "",
        "repair_channels_en": "",
        "repair_hours": "",
        "repair_response": "",
        "repair_response_en": "",
        "parking_use": "",
        "parking_use_en": "",
        "public_facilities": "",
        "public_facilities_en": "",
        "fee_items": inline_formset([]),
        "staff": inline_formset([]),
        "maintenance_units": inline_formset([]),
        "statements": inline_formset([]),
        "fund_uses": inline_formset([]),
        "repair_fee_items": inline_formset([]),
        "package_offers": inline_formset([]),
        "comments": inline_formset([]),
    }
    fields.update(overrides)
    return nested_form_data(fields)


def test_publishing_an_incomplete_board_in_the_admin_names_the_missing_sections(
    client, community, board_manager
):
    board = board_ensure(community=community)
    client.force_login(board_manager)
    data = _form_data(board)
    data["action-publish"] = "action-publish"
    response = client.post(_edit_url(board), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be published until every mandatory section is filled in" in body
    assert "Charging items and standards" in body and "Staff on duty" in body
    board.refresh_from_db()
    assert not board.live

    # Saving a draft of the same content is allowed: only publishing needs completeness.
    data = _form_data(board)
    response = client.post(_edit_url(board), data)
    assert response.status_code == 302
