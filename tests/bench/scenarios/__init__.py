"""The measurements of ``make bench``, one module each: ``pages`` (the ceiling and the pages
read against it), ``bookings`` (one-click bookings on random slots and on one hot slot),
``dispatch`` (booking commit to offer row), ``reminders`` (lateness against the due time).
``world`` is the cast they share, read from the scale dataset.

Each writes its figures into the run's ``results`` dict (and the reason into
``results["skipped"]`` when it cannot measure). They import Django models: import them only
after ``environment.setup_django``.
"""
