"""/metrics: Prometheus' text for the operator's network or token only, with Linli's own series."""

import pytest

from bookings.models import Appointment


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    settings.METRICS_ALLOWED_NETWORKS = ["10.9.0.0/16"]
    return settings


def test_an_anonymous_reader_is_refused(client, db, metrics_settings):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 403
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer wrong-token"
    )
    assert response.status_code == 403


def test_the_token_or_the_operators_network_reads_them(client, db, metrics_settings):
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token"
    )
    assert response.status_code == 200
    body = response.content.decode()
    for series in (
        "django_http_requests_total_by_method_total",
        "linli_bookings_total",
        "linli_dispatch_latency_seconds_bucket",
        "linli_reminder_lateness_seconds_bucket",
        "linli_offers_expired_total",
        "linli_payment_failures_total",
    ):
        assert series in body, series
    assert client.get("/metrics", REMOTE_ADDR="10.9.3.4").status_code == 200


def test_a_refused_booking_is_counted(client, resident, service, board):
    from marketplace.metrics import BOOKINGS

    before = BOOKINGS.labels(outcome="refused")._value.get()
    client.force_login(resident)
    client.post("/shop/book/", {"product": service.pk, "start": "not a time"})
    assert BOOKINGS.labels(outcome="refused")._value.get() == before + 1
    assert not Appointment.objects.exists()
