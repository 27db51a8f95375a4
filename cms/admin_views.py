"""The cms app's own Wagtail admin views (registered in ``cms/wagtail_hooks.py``)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.models import Page

from cms.models import revision_missing_sections


def board_incomplete(request, page_id: int):
    """/cms/boards/<page_id>/incomplete/: where a refused approval lands (``BoardApprovalTask``).

    Names the empty mandatory sections of the board's latest revision in an error message and
    redirects to the board's edit page, where they can be filled in (to the dashboard for a
    user who may not edit it). 403 for a user who may neither edit nor moderate the board.
    """
    page = get_object_or_404(Page, pk=page_id)
    permissions = page.permissions_for_user(request.user)
    task = page.specific_deferred.current_workflow_task
    can_moderate = task is not None and task.specific.user_can_access_editor(page, request.user)
    if not (permissions.can_edit() or can_moderate):
        raise PermissionDenied
    _revision, missing = revision_missing_sections(page)
    if missing:
        messages.error(
            request,
            _(
                "“%(title)s” was not approved: a fee board cannot be published until every "
                "mandatory section is filled in. Missing: %(sections)s."
            )
            % {"title": page.get_admin_display_title(), "sections": "; ".join(missing)},
        )
    return redirect("wagtailadmin_pages:edit", page.pk)
