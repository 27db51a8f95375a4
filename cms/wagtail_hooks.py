"""The cms app's Wagtail hooks.

# --- Board workflow and staff actions (issue 14 §4 "Publishing checks the wrong revision",
# §5 "staff actions answer 500"): every way Wagtail offers to move a board towards
# publication checks the revision it would publish, and a staff action that would break a
# database constraint is refused with a message. The form and the approval task do most of
# it (cms/models/fee_board.py, cms/models/workflows.py); these hooks cover the rest.
"""

from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.action_menu import SubmitForModerationMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.log_actions import LogFormatter

from cms.admin_views import board_incomplete
from cms.board_prices import pending_count, price_rows
from cms.boards import missing_in_language
from cms.models.fee_board import PUBLISH_REFUSED, FeeBoardPage
from cms.staff_actions import copy_blockers, delete_blockers, publish_blockers
from cms.workflow_names import WORKFLOW_LOG_ACTIONS, WorkflowNamesFormatter
from marketplace.staff import staff_enterprise_ids

# --- Board workflow and staff actions: begin ---------------------------------------------------


@hooks.register("register_admin_urls")
def board_workflow_admin_urls():
    """/cms/boards/<id>/incomplete/: where a refused approval names the missing sections."""
    return [path("boards/<int:page_id>/incomplete/", board_incomplete, name="cms_board_incomplete")]


@hooks.register("register_log_actions")
def board_workflow_log_actions(actions):
    """The page history's text for a refused publication (approval or scheduled)."""

    @actions.register_action(PUBLISH_REFUSED)
    class PublishRefused(LogFormatter):
        label = gettext_lazy("Publication refused: board incomplete")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            if data.get("scheduled"):
                text = _("Scheduled publishing refused; the schedule was cleared. Missing: %s.")
            else:
                text = _("Approval refused. Missing: %s.")
            return text % "; ".join(missing_in_language(data.get("missing", [])))


def _refuse(request, problems, fallback_url):
    for problem in problems:
        messages.error(request, problem)
    return redirect(get_valid_next_url_from_request(request) or fallback_url)


@hooks.register("before_copy_page")
def refuse_copying_a_one_per_object_page(request, page):
    """A community's board or an enterprise's page cannot be copied (or aliased): refused
    with a message on the explorer, before the copy form (the copy would break a unique key)."""
    problems = copy_blockers(page)
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_delete_user")
def refuse_deleting_a_user_with_records(request, user):
    """A user with payments, a worker's appointments and the like cannot be deleted:
    refused with the records named (deactivate the account instead)."""
    blockers = delete_blockers([user])
    if blockers:
        return _refuse(request, [_user_delete_message(user, blockers)], _user_edit_url(user))
    return None


@hooks.register("before_bulk_action")
def refuse_a_bulk_action_that_would_fail(request, action_type, objects, action_class_instance):
    """Bulk publish of an incomplete board, bulk delete of users with records: refused."""
    if action_type == "publish":
        form = getattr(action_class_instance, "cleaned_form", None)
        descendants = bool(form and form.cleaned_data.get("include_descendants"))
        problems = publish_blockers(objects, include_descendants=descendants)
    elif action_type == "delete" and objects and _is_user(objects[0]):
        problems = [
            _user_delete_message(user, blockers)
            for user in objects
            if (blockers := delete_blockers([user]))
        ]
    else:
        problems = []
    if problems:
        return _refuse(request, problems, "wagtailadmin_home")
    return None


def _is_user(obj):
    return isinstance(obj, get_user_model())


def _user_edit_url(user):
    return redirect("wagtailusers_users:edit", user.pk).url


def _user_delete_message(user, blockers):
    return _(
        "“%(user)s” cannot be deleted: records depend on it (%(records)s). Deactivate the "
        "account instead."
    ) % {"user": user, "records": "; ".join(blockers)}


@hooks.register("register_log_actions", order=10)  # after Wagtail's own (order 0)
def workflow_log_names_in_the_readers_language(actions):
    """Page history and site history name the workflow and task in the reader's language,
    not by the code stored in the entry (cms/workflow_names.py)."""
    for action in WORKFLOW_LOG_ACTIONS:
        base = actions.formatters.get(action)
        if base is not None and not isinstance(base, WorkflowNamesFormatter):
            actions.formatters[action] = WorkflowNamesFormatter(base)


# --- Board workflow and staff actions: end -----------------------------------------------------


class BoardSubmitMenuItem(SubmitForModerationMenuItem):
    """Wagtail's "Submit to <workflow name>" says what happens, in the editor's language.

    A workflow's name is an internal key ("anju: fee board approval", cms.services), in one
    language: the button reads "Submit for approval" / "提交审批" instead (and "Resubmit for
    approval" after the manager asked for changes).
    """

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        page = context.get("page")
        state = page.current_workflow_state if page else None
        if state and state.status == state.STATUS_NEEDS_CHANGES:
            context["label"] = _("Resubmit for approval")
        else:
            context["label"] = _("Submit for approval")
        return context


@hooks.register("construct_page_action_menu")
def name_the_submit_button(menu_items, request, context):
    """Swap Wagtail's submit item for :class:`BoardSubmitMenuItem`, in the same place."""
    for i, item in enumerate(menu_items):
        if type(item) is SubmitForModerationMenuItem:
            menu_items[i] = BoardSubmitMenuItem(order=item.order)


class BoardsWithDraftsPanel(Component):
    """The Wagtail dashboard flags the fee boards the user may edit that have unpublished
    changes (a draft, or a provider's price proposal waiting for publication), each marked
    submitted or not, with how many life-service prices publishing would change.

    Scoped twice: to the boards of the enterprises the user acts for
    (``marketplace.staff.staff_enterprise_ids``; every board for platform staff), and among
    those to the boards Wagtail lets the user edit (the enterprise's page permissions,
    ``cms.services.enterprise_access_sync``). Another enterprise's board never appears.
    """

    name = "linli_boards_with_drafts"
    order = 90  # above Wagtail's own workflow panels (100+)
    template_name = "cms/admin/boards_with_drafts_panel.html"

    def get_context_data(self, parent_context):
        """``boards``: FeeBoardPage list, each with ``in_workflow`` (bool) and
        ``pending_prices`` (int) set."""
        request = parent_context["request"]
        drafts = (
            FeeBoardPage.objects.filter(has_unpublished_changes=True)
            .select_related("community__enterprise")
            .order_by("title")
        )
        enterprise_ids = staff_enterprise_ids(request.user)
        if enterprise_ids is not None:
            drafts = drafts.filter(community__enterprise_id__in=enterprise_ids)
        boards = []
        for board in drafts:
            if board.permissions_for_user(request.user).can_edit():
                state = board.current_workflow_state
                board.in_workflow = bool(state and state.status == state.STATUS_IN_PROGRESS)
                board.pending_prices = pending_count(
                    price_rows(board.get_latest_revision_as_object())
                )
                boards.append(board)
        return {"boards": boards}


@hooks.register("construct_homepage_panels")
def flag_boards_with_drafts(request, panels):
    panels.append(BoardsWithDraftsPanel())


@hooks.register("insert_global_admin_css")
def cms_admin_css():
    """The price comparison's table and highlights (cms/static/cms/admin.css)."""
    return format_html('<link rel="stylesheet" href="{}">', static("cms/admin.css"))
