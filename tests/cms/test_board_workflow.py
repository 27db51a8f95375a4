"""Every way Wagtail moves a board towards publication checks the revision it would publish.

Issue 14 §4: an editor could submit a board with 公共设施 (public facilities) empty; the
manager's "approve" from the dashboard then answered 500, and approving from the edit page was
refused even after the manager had filled the section in (the form read the previous revision).
Paths: the edit page (submit, publish, schedule, approve, restart), the dashboard's approve and
"approve with comment", bulk publish (with and without descendants), the admin API's publish,
and scheduled publishing (Wagtail's ``publish_scheduled``).
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import PageLogEntry, Revision, TaskState
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.boards import BoardIncomplete
from cms.models import FeeBoardPage
from cms.models.fee_board import PUBLISH_REFUSED
from cms.seed import board_complete_demo_content
from cms.services import board_ensure
from cms.tasks import publish_scheduled_task
from tests.cms.support import edit_form_data
from tests.factories import CommunityFactory, UserFactory

FACILITIES_EN = "Public facilities"
FACILITIES_ZH = "公共设施"
FACILITIES_TEXT = "活动中心、健身场地、儿童游乐区。"


@pytest.fixture
def admin_client(client, db):
    """A superuser's client (Linli's users sign in by email)."""
    client.force_login(UserFactory(email="root@example.cn", is_staff=True, is_superuser=True))
    return client


def _edit(client, board, user, language="en", **fields):
    client.force_login(user)
    return client.post(
        f"/cms/pages/{board.pk}/edit/",
        edit_form_data(board, user, **fields),
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _in_moderation_without_facilities(board, editor):
    """A board in moderation whose latest revision has public facilities empty (as the
    workflow left it before this fix: submission did not check the submitted content)."""
    draft = board.get_latest_revision_as_object()
    draft.public_facilities = ""
    draft.save_revision(user=editor)
    board = FeeBoardPage.objects.get(pk=board.pk)
    board.get_workflow().start(board, editor)
    return FeeBoardPage.objects.get(pk=board.pk)


# --- submitting -------------------------------------------------------------------------------


@pytest.mark.parametrize("language, label", [("en", FACILITIES_EN), ("zh-hans", FACILITIES_ZH)])
def test_submitting_a_board_with_an_emptied_section_is_refused_naming_it(
    client, board, board_editor, language, label
):
    live = board.live_revision_id
    response = _edit(
        client, board, board_editor, language, public_facilities="", **{"action-submit": "1"}
    )
    assert response.status_code == 200
    assert label in response.content.decode()
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.current_workflow_state is None  # nothing submitted
    assert board.live_revision_id == live and board.latest_revision_id == live  # nothing saved


def test_submitting_a_complete_board_starts_the_workflow(client, board, board_editor):
    response = _edit(
        client, board, board_editor, office_hours="8:00–21:00", **{"action-submit": "1"}
    )
    assert response.status_code == 302
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.current_workflow_state is not None


def test_resubmitting_after_changes_were_requested_is_checked_too(
    client, board, board_editor, board_manager
):
    board = _in_moderation_without_facilities(board, board_editor)
    state = board.current_workflow_state
    state.current_task_state.task.specific.on_action(
        state.current_task_state, board_manager, "reject"
    )
    response = _edit(client, board, board_editor, **{"action-submit": "1"})
    assert response.status_code == 200 and FACILITIES_EN in response.content.decode()
    response = _edit(
        client, board, board_editor, public_facilities=FACILITIES_TEXT, **{"action-submit": "1"}
    )
    assert response.status_code == 302


def test_restarting_the_workflow_with_an_empty_section_is_refused(client, board, board_editor):
    board = _in_moderation_without_facilities(board, board_editor)
    response = _edit(client, board, board_editor, **{"action-restart-workflow": "1"})
    assert response.status_code == 200 and FACILITIES_EN in response.content.decode()


# --- publishing and scheduling from the edit page ---------------------------------------------


def test_publishing_with_an_emptied_section_is_refused_naming_it(client, board, board_manager):
    live = board.live_revision_id
    response = _edit(client, board, board_manager, public_facilities="", **{"action-publish": "1"})
    assert response.status_code == 200 and FACILITIES_EN in response.content.decode()
    assert FeeBoardPage.objects.get(pk=board.pk).live_revision_id == live


def test_scheduling_a_board_with_an_emptied_section_is_refused(client, board, board_manager):
    go_live = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    response = _edit(
        client,
        board,
        board_manager,
        public_facilities="",
        go_live_at=go_live,
        **{"action-publish": "1"},
    )
    assert response.status_code == 200 and FACILITIES_EN in response.content.decode()
    assert not Revision.objects.filter(
        object_id=str(board.pk), approved_go_live_at__isnull=False
    ).exists()


def test_the_manager_fills_in_the_section_and_approves_from_the_edit_page(
    client, board, board_editor, board_manager
):
    board = _in_moderation_without_facilities(board, board_editor)
    response = _edit(
        client,
        board,
        board_manager,
        public_facilities=FACILITIES_TEXT,
        **{"action-workflow-action": "true", "workflow-action-name": "approve"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.live and not board.has_unpublished_changes
    assert board.public_facilities == FACILITIES_TEXT
    assert board.current_workflow_state is None


def test_approving_from_the_edit_page_without_filling_it_in_is_refused(
    client, board, board_editor, board_manager
):
    board = _in_moderation_without_facilities(board, board_editor)
    live = board.live_revision_id
    response = _edit(
        client,
        board,
        board_manager,
        **{"action-workflow-action": "true", "workflow-action-name": "approve"},
    )
    assert response.status_code == 200 and FACILITIES_EN in response.content.decode()
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.live_revision_id == live
    assert board.current_workflow_state.current_task_state.status == TaskState.STATUS_IN_PROGRESS


# --- the dashboard and the workflow action URL --------------------------------------------------


def _approve_url(board):
    task_state = board.current_workflow_state.current_task_state
    return f"/cms/pages/workflow/action/{board.pk}/approve/{task_state.pk}/"


def test_approving_an_incomplete_board_from_the_dashboard_is_refused_naming_the_section(
    client, board, board_editor, board_manager
):
    board = _in_moderation_without_facilities(board, board_editor)
    live = board.live_revision_id
    client.force_login(board_manager)
    assert "Awaiting your review" in client.get("/cms/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(
        _approve_url(board), {"next": "/cms/"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/cms/pages/{board.pk}/edit/"
    body = response.content.decode()
    assert "was not approved" in body and FACILITIES_EN in body
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.live_revision_id == live
    task_state = board.current_workflow_state.current_task_state
    assert task_state.status == TaskState.STATUS_IN_PROGRESS  # still awaiting review
    refusal = PageLogEntry.objects.get(page=board, action=PUBLISH_REFUSED)
    assert refusal.user == board_manager and FACILITIES_EN in refusal.data["missing"]["en"]

    # In Chinese, the section is named in Chinese.
    response = client.post(
        _approve_url(board), {"next": "/cms/"}, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True
    )
    assert FACILITIES_ZH in response.content.decode()


def test_approving_with_a_comment_from_the_dashboard_modal_is_refused(
    client, board, board_editor, board_manager
):
    board = _in_moderation_without_facilities(board, board_editor)
    live = board.live_revision_id
    client.force_login(board_manager)
    response = client.post(
        _approve_url(board),
        {"comment": "看过了", "next": "/cms/"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200
    assert response.json()["redirect"] == f"/cms/boards/{board.pk}/incomplete/"
    assert FeeBoardPage.objects.get(pk=board.pk).live_revision_id == live


def test_once_filled_in_the_dashboard_approval_publishes_it(
    client, board, board_editor, board_manager
):
    board = _in_moderation_without_facilities(board, board_editor)
    # The manager fills the section in and saves (a draft), then approves from the dashboard.
    response = _edit(client, board, board_manager, public_facilities=FACILITIES_TEXT)
    assert response.status_code == 302
    board = FeeBoardPage.objects.get(pk=board.pk)
    response = client.post(_approve_url(board), {"next": "/cms/"})
    assert response.status_code == 302 and response["Location"] == "/cms/"
    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.live and not board.has_unpublished_changes
    assert board.public_facilities == FACILITIES_TEXT


def test_an_outsider_cannot_read_the_refusal_of_another_enterprises_board(
    client, board, board_editor, foreign_editor
):
    board = _in_moderation_without_facilities(board, board_editor)
    client.force_login(foreign_editor)
    response = client.get(f"/cms/boards/{board.pk}/incomplete/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (302, 403)
    if response.status_code == 302:  # Wagtail turns PermissionDenied into a redirect home
        assert response["Location"] == "/cms/"
        body = client.get("/cms/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "permission" in body and FACILITIES_EN not in body and board.title not in body


# --- bulk actions and the admin API -------------------------------------------------------------


def _bulk_publish(client, pages, include_descendants=False):
    ids = "&".join(f"id={page.pk}" for page in pages)
    data = {"next": "/cms/"}
    if include_descendants:
        data["include_descendants"] = "on"
    return client.post(
        f"/cms/bulk/wagtailcore/page/publish/?{ids}", data, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )


def test_bulk_publishing_an_incomplete_board_is_refused_naming_the_section(
    client, board, board_editor, board_manager
):
    draft = board.get_latest_revision_as_object()
    draft.public_facilities = ""
    draft.save_revision(user=board_editor)
    live = board.live_revision_id
    client.force_login(board_manager)
    response = _bulk_publish(client, [board])
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be published until it is complete" in body and FACILITIES_EN in body
    assert FeeBoardPage.objects.get(pk=board.pk).live_revision_id == live


def test_bulk_publishing_the_index_with_an_incomplete_draft_board_beneath_is_refused(
    admin_client, board, other_community
):
    draft_board = board_ensure(community=other_community)  # a new, empty draft board
    response = _bulk_publish(admin_client, [board.get_parent()], include_descendants=True)
    assert response.status_code == 200
    assert draft_board.title in response.content.decode()
    assert not FeeBoardPage.objects.get(pk=draft_board.pk).live


def test_bulk_publishing_a_complete_board_still_works(client, board, board_manager):
    draft = board.get_latest_revision_as_object()
    draft.office_hours = "8:00–21:00"
    revision = draft.save_revision(user=board_manager)
    client.force_login(board_manager)
    assert _bulk_publish(client, [board]).status_code == 200
    assert FeeBoardPage.objects.get(pk=board.pk).live_revision_id == revision.pk


def test_the_admin_api_publish_of_an_incomplete_board_answers_400(
    admin_client, community, site_tree
):
    board = board_ensure(community=community)
    response = admin_client.post(
        f"/cms/api/main/pages/{board.pk}/action/publish/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Charging items and standards" in response.content.decode()
    assert not FeeBoardPage.objects.get(pk=board.pk).live


def test_no_publishing_path_makes_incomplete_content_live(community, site_tree):
    # Wagtail's own action, as the edit page and the admin API call it (bypassing publish()).
    board = board_ensure(community=community)
    with pytest.raises(BoardIncomplete):
        PublishPageRevisionAction(board.get_latest_revision()).execute()
    assert not FeeBoardPage.objects.get(pk=board.pk).live


# --- scheduled publishing -----------------------------------------------------------------------


def test_scheduled_publishing_skips_an_incomplete_revision_and_records_why(
    board, board_editor, other_community
):
    # A revision scheduled before the rule held (or edited since): its go-live time has come.
    draft = board.get_latest_revision_as_object()
    draft.public_facilities = ""
    incomplete = draft.save_revision(user=board_editor)
    past = timezone.now() - timedelta(minutes=5)
    Revision.objects.filter(pk=incomplete.pk).update(approved_go_live_at=past)
    # Another board's complete revision is due in the same run.
    other = board_ensure(community=other_community)
    complete = board_complete_demo_content(other.get_latest_revision_as_object()).save_revision()
    Revision.objects.filter(pk=complete.pk).update(approved_go_live_at=past)
    live = board.live_revision_id

    call_command("publish_scheduled")

    board = FeeBoardPage.objects.get(pk=board.pk)
    assert board.live_revision_id == live and board.public_facilities  # not published
    incomplete.refresh_from_db()
    assert incomplete.approved_go_live_at is None  # not retried every run
    refusal = PageLogEntry.objects.get(page=board, action=PUBLISH_REFUSED)
    assert refusal.data["scheduled"] is True and FACILITIES_EN in refusal.data["missing"]["en"]
    # Stored in both languages: the beat's worker has no reader's language to write in.
    assert "公共设施" in refusal.data["missing"]["zh-hans"]
    assert refusal.revision_id == incomplete.pk
    assert FeeBoardPage.objects.get(pk=other.pk).live_revision_id == complete.pk

    call_command("publish_scheduled")  # nothing left to refuse
    assert PageLogEntry.objects.filter(page=board, action=PUBLISH_REFUSED).count() == 1


def test_the_refusal_reads_clearly_in_the_page_history(admin_client, board, board_editor):
    draft = board.get_latest_revision_as_object()
    draft.public_facilities = ""
    incomplete = draft.save_revision(user=board_editor)
    Revision.objects.filter(pk=incomplete.pk).update(
        approved_go_live_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("publish_scheduled")
    body = admin_client.get(
        f"/cms/pages/{board.pk}/history/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Scheduled publishing refused" in body and FACILITIES_EN in body


def test_beat_runs_scheduled_publishing_every_minute(board, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cms: publish scheduled"]
    assert entry == {"task": "cms.tasks.publish_scheduled", "schedule": 60.0}
    draft = board.get_latest_revision_as_object()
    draft.office_hours = "8:00–21:00"
    revision = draft.save_revision()
    Revision.objects.filter(pk=revision.pk).update(
        approved_go_live_at=timezone.now() - timedelta(minutes=1)
    )
    publish_scheduled_task.apply().get()
    assert FeeBoardPage.objects.get(pk=board.pk).live_revision_id == revision.pk


def test_creating_a_board_and_submitting_it_empty_is_refused(admin_client, board):
    # A new community's board, added in the admin and submitted at once with nothing filled in.
    other = CommunityFactory(enterprise=board.community.enterprise, slug="new-garden", name="新园")
    rows = (
        "fee_items",
        "staff",
        "maintenance_units",
        "statements",
        "fund_uses",
        "repair_fee_items",
        "comments",
    )
    fields = {
        field.name: ""
        for field in FeeBoardPage._meta.get_fields(include_parents=False)
        if getattr(field, "concrete", False) and field.name not in ("page_ptr", "life_services")
    }
    fields.update({"title": "新园公示栏", "slug": "new-garden", "community": other.pk})
    fields.update({relation: inline_formset([]) for relation in rows})
    data = nested_form_data(fields)
    data["action-submit"] = "1"
    response = admin_client.post(
        f"/cms/pages/add/cms/feeboardpage/{board.get_parent().pk}/",
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Charging items and standards" in body and FACILITIES_EN in body
    assert not FeeBoardPage.objects.filter(community=other).exists()
