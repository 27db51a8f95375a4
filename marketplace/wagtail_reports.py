"""Wagtail's workflow reports, with filters that name only the user's own workflows.

Wagtail lists only the workflow states of pages the user may edit, but builds the filters'
choices from every row: every workflow ("jinghua: fee board approval"), every task and
everyone who ever submitted a page. For an enterprise's editor these choices are limited to
the workflows of the pages they may edit, those workflows' tasks, and the people who submitted
those pages. The views replace Wagtail's at the same addresses (``marketplace/urls.py`` lists
them before Wagtail's admin), so every link to the reports still reaches them. Superusers see
every choice, as before.
"""

from django.contrib.auth import get_user_model
from wagtail.admin.views.reports import workflows
from wagtail.models import Task, Workflow, WorkflowPage, WorkflowState

from marketplace.wagtail_hooks import explorable_pages


def _editable_page_states(request):
    """The workflow states of the pages ``request.user`` may edit (Wagtail's own query)."""
    return WorkflowState.objects.filter(
        base_content_type_id=workflows.get_default_page_content_type().id,
        object_id__in=workflows.get_editable_page_ids_query(request),
    )


def _own_workflows(request):
    """The workflows of the pages the user may see in the admin, or with states on them."""
    attached = WorkflowPage.objects.filter(page__in=explorable_pages(request.user).values("pk"))
    return Workflow.objects.filter(pk__in=attached.values("workflow")) | Workflow.objects.filter(
        pk__in=_editable_page_states(request).values("workflow")
    )


class WorkflowReportFilterSet(workflows.WorkflowReportFilterSet):
    """Wagtail's filters of the workflow report, their choices scoped to the user."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None and not self.request.user.is_superuser:
            self.filters["workflow"].queryset = _own_workflows(self.request)
            self.filters["requested_by"].queryset = get_user_model().objects.filter(
                pk__in=_editable_page_states(self.request).values("requested_by")
            )


class WorkflowTasksReportFilterSet(workflows.WorkflowTasksReportFilterSet):
    """Wagtail's filters of the workflow tasks report, their choices scoped to the user."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None and not self.request.user.is_superuser:
            own = _own_workflows(self.request)
            self.filters["workflow"].queryset = own
            self.filters["task"].queryset = Task.objects.filter(
                workflow_tasks__workflow__in=own.values("pk")
            ).distinct()


class WorkflowView(workflows.WorkflowView):
    """Wagtail's workflow report with ``WorkflowReportFilterSet``."""

    filterset_class = WorkflowReportFilterSet


class WorkflowTasksView(workflows.WorkflowTasksView):
    """Wagtail's workflow tasks report with ``WorkflowTasksReportFilterSet``."""

    filterset_class = WorkflowTasksReportFilterSet
