"""Wagtail's admin and emails in one language, the reader's (issue 21): the fee board workflow
and its task are named in the reader's language, never by their internal code; Wagtail's
profile language and Linli's agree; each notification email is in its recipient's language,
not the sender's; no Gravatar avatars."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Task, Workflow
from wagtail.users.models import UserProfile

from cms.models import FeeBoardPage
from cms.services import enterprise_staff_grant
from cms.workflow_names import CodedName, display_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WORKFLOW_ZH = "收费公示审批（北京安居物业服务有限公司）"
WORKFLOW_EN = "Fee board approval (Beijing Anju Property)"
TASK_ZH = "经理审批（北京安居物业服务有限公司）"
TASK_EN = "Manager approval (Beijing Anju Property)"


def _english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_the_workflow_and_task_are_stored_as_codes_and_read_in_the_active_language(
    board, enterprise
):
    workflow = Workflow.objects.get(name=f"{enterprise.slug}: fee board approval")
    task = Task.objects.get(name=f"{enterprise.slug}: manager approval").specific

    assert isinstance(workflow.name, CodedName)
    assert workflow.name.code == f"{enterprise.slug}: fee board approval"
    with translation.override("zh-hans"):
        assert f"{workflow.name}" == WORKFLOW_ZH and str(task.name) == TASK_ZH
    with translation.override("en"):
        assert (
            _("Submit to %(workflow_name)s") % {"workflow_name": workflow.name}
            == f"Submit to {WORKFLOW_EN}"
            and str(task.name) == TASK_EN
        )


def test_a_name_a_superuser_typed_is_shown_as_typed():
    assert display_name("Marketing sign-off") == "Marketing sign-off"


def _in_workflow(board, editor):
    board = FeeBoardPage.objects.get(pk=board.pk)
    board.get_workflow().start(board, editor)
    return board


def test_the_edit_page_names_the_workflow_in_chinese_for_a_chinese_editor(
    client, board, board_editor
):
    _in_workflow(board, board_editor)
    client.force_login(board_editor)

    page = client.get(f"/cms/pages/{board.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    text = page.content.decode()
    assert WORKFLOW_ZH in text and TASK_ZH in text
    assert "fee board approval" not in text and "manager approval" not in text
    assert WORKFLOW_EN not in text


def test_the_edit_page_names_the_workflow_in_english_for_an_english_editor(
    client, board, board_editor
):
    _in_workflow(board, board_editor)
    client.force_login(_english(board_editor))

    text = client.get(f"/cms/pages/{board.pk}/edit/").content.decode()  # no Accept-Language

    assert WORKFLOW_EN in text and TASK_EN in text
    assert WORKFLOW_ZH not in text and "fee board approval" not in text


def test_the_submit_button_reads_in_each_language(client, board, board_editor):
    client.force_login(board_editor)
    assert "提交审批" in client.get(f"/cms/pages/{board.pk}/edit/").content.decode()

    client.force_login(_english(board_editor))
    text = client.get(f"/cms/pages/{board.pk}/edit/").content.decode()
    assert "Submit for approval" in text and "提交" not in text


# --- the profile languages agree ----------------------------------------------------------------


def test_a_language_chosen_on_linli_is_the_wagtail_profile_language():
    user = _english(UserFactory())
    assert UserProfile.get_for_user(user).preferred_language == "en"

    user.language = settings.LANGUAGE_CODE
    user.save(update_fields=["language"])
    assert UserProfile.get_for_user(user).preferred_language == ""  # not chosen: both defaults


def test_a_language_chosen_on_the_wagtail_account_page_is_the_linli_language():
    user = UserFactory()
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()

    user.refresh_from_db()
    assert user.language == "en"


# --- emails in the recipient's language ----------------------------------------------------------


@pytest.fixture
def managers(enterprise, board):
    """An English-reading and a Chinese-reading manager of the board's enterprise."""
    english = _english(UserFactory(email="manager-en@example.cn"))
    chinese = UserFactory(email="manager-zh@example.cn")
    for user in (english, chinese):
        enterprise_staff_grant(enterprise=enterprise, user=user, role="manager")
    return english, chinese


def _sent_to(address):
    (message,) = [m for m in mail.outbox if address in m.to]
    return message


@pytest.mark.parametrize("sender_language", ["zh-hans", "en"])
def test_the_submission_email_is_in_each_recipients_language(
    board, board_editor, managers, sender_language
):
    mail.outbox.clear()
    with translation.override(sender_language):
        _in_workflow(board, board_editor)

    english = _sent_to("manager-en@example.cn")
    assert "has been submitted for approval" in english.subject and TASK_EN in english.subject
    assert TASK_EN in english.body and "You can edit the page here" in english.body
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.subject.replace(board.title, ""))

    chinese = _sent_to("manager-zh@example.cn")
    assert TASK_ZH in chinese.subject and "审" in chinese.subject
    assert "submitted" not in chinese.subject and "manager approval" not in chinese.subject
    assert "submitted" not in chinese.body and TASK_ZH in chinese.body


def test_the_approval_email_is_in_the_submitters_language(client, board, board_editor, managers):
    _english(board_editor)
    board = _in_workflow(board, board_editor)
    mail.outbox.clear()
    _, chinese_manager = managers
    task_state = board.current_workflow_task_state
    with translation.override("zh-hans"):
        task_state.task.specific.on_action(task_state, chinese_manager, "approve")

    message = _sent_to(board_editor.email)
    assert "approved" in message.subject and WORKFLOW_EN in message.subject


def test_wagtail_shows_no_gravatar(client, board_editor):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    client.force_login(board_editor)
    assert "gravatar" not in client.get("/cms/").content.decode().lower()


def test_the_page_history_names_the_workflow_in_the_readers_language(client, board, board_editor):
    _in_workflow(board, board_editor)
    client.force_login(board_editor)

    history = client.get(f"/cms/pages/{board.pk}/history/").content.decode()

    assert WORKFLOW_ZH in history and TASK_ZH in history
    assert "fee board approval" not in history
