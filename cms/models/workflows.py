"""The approval step of a fee board's workflow: Wagtail's group approval, refusing incomplete boards.

Wagtail publishes the page's latest revision when the last task of its workflow is approved
(``wagtail.workflows.publish_workflow_state``). Every way Wagtail offers to approve (the edit
page's action menu, the dashboard's "Awaiting your review" panel, its "Approve with comment"
modal, the workflow action URL) calls ``Task.on_action``; this task checks that revision there,
before anything is approved, and answers with the URL of ``cms_board_incomplete`` (the
admin view of ``cms/wagtail_hooks.py`` that names the missing sections) instead.
"""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.log_actions import log
from wagtail.models import AbstractGroupApprovalTask

from cms.boards import missing_sections, missing_sections_by_language
from cms.models.fee_board import PUBLISH_REFUSED, FeeBoardPage


def revision_missing_sections(page) -> tuple[object, list[str]]:
    """``(latest revision, labels of its empty mandatory sections)`` of ``page``.

    ``page`` is any Page (a base ``Page`` is fine); the list is empty for pages that are not
    fee boards, and for complete boards. The revision is the one Wagtail would publish.
    """
    revision = page.get_latest_revision()
    content = revision.as_object() if revision is not None else page.specific
    if not isinstance(content, FeeBoardPage):
        return revision, []
    return revision, missing_sections(content)


class BoardActionCommentForm(TaskStateCommentForm):
    """Wagtail's comment form of a workflow action, its label translated when shown: Wagtail's
    own (``wagtail.forms.TaskStateCommentForm``) translates "Comment" once, at import, so an
    English reviewer read 评论."""

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea({"rows": 2})
    )


class BoardApprovalTask(AbstractGroupApprovalTask):
    """A manager of the board's enterprise approves; an incomplete revision is never approved.

    ``on_action(task_state, user, "approve")`` returns the URL of the admin view naming the
    missing sections (Wagtail redirects there) and leaves the task in progress when the
    revision to be published has an empty mandatory section; otherwise it approves as
    Wagtail's ``GroupApprovalTask`` does. Source of the rule: every section of the board is
    mandatory under 建房规〔2020〕10号 (see ``cms.boards.SECTIONS``).
    """

    class Meta:
        verbose_name = _("Fee board approval task")
        verbose_name_plural = _("Fee board approval tasks")

    @classmethod
    def get_description(cls):
        """The description Wagtail shows when choosing a task type."""
        return _(
            "Members of the chosen groups approve; a fee board with an empty mandatory "
            "section cannot be approved."
        )

    def get_form_for_action(self, action):
        """:class:`BoardActionCommentForm` for every action that asks for a comment."""
        return BoardActionCommentForm

    def get_template_for_action(self, action):
        """Wagtail's action modal (approve with comment, request changes) with the
        life-service prices the approval would publish beside the published ones."""
        return "cms/admin/workflow/board_action_modal.html"

    def on_action(self, task_state, user, action_name, **kwargs):
        """Wagtail's action, with "approve" refused (a redirect URL, nothing changed) while
        the revision to be published is incomplete; the refusal is logged on the page."""
        if action_name == "approve":
            page = task_state.workflow_state.content_object
            revision, missing = revision_missing_sections(page)
            if missing:
                log(
                    instance=page.specific,
                    action=PUBLISH_REFUSED,
                    revision=revision,
                    user=user,
                    data={
                        "revision": {"id": revision.pk},
                        "missing": missing_sections_by_language(revision.as_object()),
                    },
                )
                return reverse("cms_board_incomplete", args=(page.pk,))
        return super().on_action(task_state, user, action_name, **kwargs)
