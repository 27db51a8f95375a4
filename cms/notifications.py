"""Wagtail's workflow notification emails, each in its recipient's language.

Wagtail connects four notifiers (``wagtail.admin.signal_handlers``): a board submitted to the
managers' task, and the workflow submitted, approved and rejected. Each is replaced here, under
Wagtail's own ``dispatch_uid``, by a subclass with ``RecipientLanguageMixin``
(cms/profile_language.py), whatever order the apps are ready in. Called from
``CmsConfig.ready``.
"""

from wagtail.admin.mail import (
    GroupApprovalTaskStateSubmissionEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
    WorkflowStateSubmissionEmailNotifier,
)
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

from cms.profile_language import RecipientLanguageMixin


class TaskSubmittedEmail(RecipientLanguageMixin, GroupApprovalTaskStateSubmissionEmailNotifier):
    """To the task's group (the enterprise's managers) when a board is submitted."""


class WorkflowSubmittedEmail(RecipientLanguageMixin, WorkflowStateSubmissionEmailNotifier):
    """Wagtail's workflow-submitted email, in the recipient's language."""


class WorkflowApprovedEmail(RecipientLanguageMixin, WorkflowStateApprovalEmailNotifier):
    """To the submitter when the board is approved (published)."""


class WorkflowRejectedEmail(RecipientLanguageMixin, WorkflowStateRejectionEmailNotifier):
    """To the submitter when the manager asks for changes."""


#: (signal, sender, Wagtail's dispatch_uid, our notifier)
NOTIFIERS = (
    (
        task_submitted,
        TaskState,
        "group_approval_task_submitted_email_notification",
        TaskSubmittedEmail(),
    ),
    (
        workflow_submitted,
        WorkflowState,
        "workflow_state_submitted_email_notification",
        WorkflowSubmittedEmail(),
    ),
    (
        workflow_rejected,
        WorkflowState,
        "workflow_state_rejected_email_notification",
        WorkflowRejectedEmail(),
    ),
    (
        workflow_approved,
        WorkflowState,
        "workflow_state_approved_email_notification",
        WorkflowApprovedEmail(),
    ),
)


def connect_notifiers() -> None:
    """Replace Wagtail's four workflow notifiers by the ones above (idempotent)."""
    for signal, sender, uid, notifier in NOTIFIERS:
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(notifier, sender=sender, dispatch_uid=uid, weak=False)
