from tests.bookings.dispatch.conftest import _empty_sms_outbox  # noqa: F401 — autouse fixture
