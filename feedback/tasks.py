"""Beat tasks of the feedback app (CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task


@shared_task(name="feedback.tasks.escalate_complaints", ignore_result=True)
def escalate_complaints_task() -> int:
    """Escalate complaints whose clocks are breached (idempotent; no retry needed: the next
    beat run retries whatever this one missed)."""
    from feedback.complaints.services import complaints_escalate_due

    return complaints_escalate_due()


@shared_task(name="feedback.tasks.grade_last_month", ignore_result=True)
def grade_last_month_task() -> int:
    """Compute last month's credit grades (idempotent: same inputs, same rows)."""
    from feedback.credit.grades import grades_compute_month, previous_month

    return len(grades_compute_month(previous_month()))
