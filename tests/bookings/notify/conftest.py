import pytest

from tests.bookings.dispatch.conftest import (  # noqa: F401 — fixtures: the SMS outbox, the worker
    _empty_sms_outbox,
    _session_worker,
    celery_worker,
    private_redis,
    pytest_runtest_teardown,  # the worker stops once no test needs it
    use_broker,
)


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    """SMS at any hour the tests run (the quiet-hours tests set them back explicitly)."""
    settings.LINLI_SMS_QUIET_HOURS = ()


@pytest.fixture(autouse=True)
def _empty_template_outbox():
    from bookings.notify import channels

    channels.template_outbox.clear()
    yield
    channels.template_outbox.clear()


def tell_now() -> int:
    """Send what is due now: the notices of what just happened (booked, moved, accepted...),
    which a committed request kicks at once, and forget their email and SMS copies, so a test
    of the reminders counts only the reminders. Returns how many notices were sent."""
    from django.core import mail
    from django.utils import timezone

    from bookings.notify import channels
    from bookings.notify.reminders import reminders_send_due

    sent = reminders_send_due(now=timezone.now())
    mail.outbox.clear()
    channels.outbox.clear()
    channels.template_outbox.clear()
    return sent
