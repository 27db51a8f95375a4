"""Linli's own Prometheus metrics, and the guarded ``/metrics`` endpoint.

django-prometheus measures requests, responses, latencies and exceptions per view; these add
what the operator asks of Linli (README, "Metrics"):

============================================  ===============================================
``linli_bookings_total{outcome}``              one-click bookings: ``booked``, ``conflict`` (409:
                                               the slot was taken), ``refused`` (other 4xx)
``linli_payment_failures_total``               card payments that failed (``payment_failed``)
``linli_dispatch_latency_seconds``             a dispatch round's creation (the booking's
                                               commit) → the offer to a worker
``linli_offers_expired_total``                 job offers that lapsed unanswered
``linli_reminder_lateness_seconds``            a reminder's due time → sent
``linli_clock_breaches_total{kind,clock}``     a complaint's or repair's clock breached
                                               (``kind``: ``complaint`` or ``repair``; ``clock``:
                                               e.g. ``response``, ``resolution``, ``on_site``)
============================================  ===============================================

With several processes on one machine (gunicorn workers, Celery), set
``PROMETHEUS_MULTIPROC_DIR`` to one empty folder for all of them, before they start: the
endpoint then adds up every process's counts (prometheus_client's multiprocess mode).

``/metrics`` answers only a reader with ``Authorization: Bearer <METRICS_TOKEN>`` or one whose
address is in ``METRICS_ALLOWED_NETWORKS`` (default: this machine only); anyone else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.dispatch import receiver
from django.http import HttpResponseForbidden
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import Counter, Histogram

from payments import signals as payment_signals

BOOKINGS = Counter("linli_bookings", "One-click bookings by outcome.", ["outcome"])
PAYMENT_FAILURES = Counter("linli_payment_failures", "Card payments that failed.")
DISPATCH_LATENCY = Histogram(
    "linli_dispatch_latency_seconds",
    "From a dispatch round's creation (the booking's commit) to the offer to a worker.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
OFFERS_EXPIRED = Counter("linli_offers_expired", "Job offers that lapsed unanswered.")
REMINDER_LATENESS = Histogram(
    "linli_reminder_lateness_seconds",
    "From a reminder's due time to its sending.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600),
)
CLOCK_BREACHES = Counter(
    "linli_clock_breaches",
    "Complaint and repair clocks breached (the published response and resolution times).",
    ["kind", "clock"],
)


@receiver(payment_signals.payment_failed, dispatch_uid="linli-metrics-payment-failed")
def _count_payment_failure(sender=None, **kwargs):
    PAYMENT_FAILURES.inc()


def _reader_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get(settings.CLIENT_IP_META_KEY, ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False)
        for net in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics_view(request):
    """Prometheus' text format of every metric (django-prometheus' export), for an allowed
    reader only (see the module docstring); 403 for anyone else."""
    if not _reader_allowed(request):
        return HttpResponseForbidden("Metrics are for the operator's monitoring only.")
    return ExportToDjangoView(request)
