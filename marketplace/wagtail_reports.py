"""Wagtail's reports, with filters that name only the user's own and CSVs that are safe.

Wagtail lists only the rows of pages the user may edit, but builds some filters' choices from
every row: every workflow ("jinghua: fee board approval"), every task, everyone who ever
submitted a page, everyone who ever locked one. For an enterprise's staff these choices are
limited to the workflows of the pages they may see, those workflows' tasks, and the people who
submitted or locked those pages. Every report's CSV export writes its cells through
``marketplace.csv_export.csv_cell`` (a page title typed as ``=HYPERLINK(...)`` stays text).

The views replace Wagtail's at the same addresses (``urlpatterns``, included by
``marketplace/urls.py`` before Wagtail's admin), so every link to the reports reaches them.
Superusers see every choice, as before.
"""

from django.contrib.auth import get_user_model
from django.urls import path
from wagtail.admin.views.reports import aging_pages, audit_logging, locked_pages, workflows
from wagtail.models import Page, Task, Workflow, WorkflowPage, WorkflowState

from marketplace.csv_export import csv_cell
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


class LockedPagesReportFilterSet(locked_pages.LockedPagesReportFilterSet):
    """Wagtail's filters of the locked pages report: "locked by" names only the people who
    locked a page the user may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None and not self.request.user.is_superuser:
            visible = explorable_pages(self.request.user).filter(locked=True)
            self.filters["locked_by"].queryset = get_user_model().objects.filter(
                pk__in=Page.objects.filter(pk__in=visible.values("pk")).values("locked_by")
            )


class SafeCSVMixin:
    """A Wagtail report whose CSV cells go through ``csv_cell`` (Wagtail's XLSX export
    already stores formulas as text)."""

    def write_csv_row(self, writer, row_dict):
        """Wagtail's row, each value prepared for CSV by Wagtail and then by ``csv_cell``."""
        return writer.writerow(
            {
                field: csv_cell(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )


class WorkflowView(SafeCSVMixin, workflows.WorkflowView):
    """Wagtail's workflow report with ``WorkflowReportFilterSet``."""

    filterset_class = WorkflowReportFilterSet


class WorkflowTasksView(SafeCSVMixin, workflows.WorkflowTasksView):
    """Wagtail's workflow tasks report with ``WorkflowTasksReportFilterSet``."""

    filterset_class = WorkflowTasksReportFilterSet


class LockedPagesView(SafeCSVMixin, locked_pages.LockedPagesView):
    """Wagtail's locked pages report with ``LockedPagesReportFilterSet``."""

    filterset_class = LockedPagesReportFilterSet


class AgingPagesView(SafeCSVMixin, aging_pages.AgingPagesView):
    """Wagtail's aging pages report, its CSV made safe."""


class LogEntriesView(SafeCSVMixin, audit_logging.LogEntriesView):
    """Wagtail's site history, its CSV made safe."""


def _both(route, view):
    """A report and its results-only fragment (Wagtail's pair of addresses)."""
    return [
        path(f"{route}/", view.as_view()),
        path(f"{route}/results/", view.as_view(results_only=True)),
    ]


#: Included at ``cms/reports/`` before Wagtail's admin: the same addresses as Wagtail's.
urlpatterns = [
    *_both("workflow", WorkflowView),
    *_both("workflow_tasks", WorkflowTasksView),
    *_both("locked", LockedPagesView),
    *_both("aging-pages", AgingPagesView),
    *_both("site-history", LogEntriesView),
]
