"""Pytest plugin: one localstripe server per test session, on a free loopback port.

Registered in ``tests/conftest.py`` (``pytest_plugins``). Tests that talk to Stripe ask for the
``localstripe`` fixture; it points ``settings.STRIPE_API_BASE`` (read by
``payments.stripe_client``) at the server for the whole session and stops it at the end. State is
in memory only, so parallel sessions never share customers.
"""

import pytest

from payments.localstripe_server import start_localstripe


@pytest.fixture(scope="session")
def _localstripe_server():
    proc, url = start_localstripe()
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except Exception:
            proc.kill()


@pytest.fixture
def localstripe(_localstripe_server, settings):
    """The base URL of the session's localstripe, with Stripe settings pointing at it."""
    settings.STRIPE_API_BASE = _localstripe_server
    settings.STRIPE_SECRET_KEY = "sk_test_linli_localstripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_linli_localstripe"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_linli_test"
    return _localstripe_server
