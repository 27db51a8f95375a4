"""The benchmark dataset that ``manage.py seed_scale`` writes (PostgreSQL).

Defaults: 100 communities (10 enterprises of 10), 10,000 services (100 priced in each
community), 1,000 workers (10 per community, with weekly hours), 10,000 residents with a
default household, and 100,000 past and future appointments (one per worker per day over
70 past and 30 coming days), each with its Oscar order and line, and a published fee board
per community so that the price gate passes for benchmark bookings.

Rows are written with ``bulk_create`` in large batches; only the fee boards go through
Wagtail (``cms.services``), one publish per community. The appointments respect the
no-double-booking exclusion constraint by construction: a worker has at most one active
appointment a day, between 08:00 and 19:15 local time.

Skills are deliberately uneven: in every community the express and repair services have a
single qualified worker, so a "hot slot" has exactly one winner.

- ``frame``: enterprises, communities, providers, services with prices, workers, residents;
- ``appointments``: the appointments with their Oscar orders and lines;
- ``boards``: a published fee board per community.

Each writer takes ``say``, a callable that prints one line of progress, and the ones that draw
random choices take ``rng`` (a ``random.Random``): one generator, drawn from in the order
``workers_create``, ``residents_create``, ``appointments_create``, makes the same dataset for
the same seed.
"""
