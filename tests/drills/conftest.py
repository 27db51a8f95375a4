"""Drills: the site under failure (a database restart, a broker outage) and under growth
(query counts).

The world (``worker``, ``board``, ``book``) comes from the root conftest; ``use_broker`` (point
this process's Celery app at another broker) from the dispatch tests'."""

from tests.bookings.dispatch.conftest import use_broker  # noqa: F401 — a fixture
