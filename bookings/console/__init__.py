"""The provider console at /provider/: workers run their day, managers run their team.

- ``access``: who is in the console, as what (``ConsoleRole``), the one helper per object kind
  that reaches a job, worker, offer, price or time off, and when a resident's contact shows;
- ``jobs``: a worker's day (check in, complete, no-show) and settling the card payment;
- ``schedule``: weekly hours, time off, the team's week, who is free for a job;
- ``prices``: price proposals and what the published fee board says;
- ``earnings``: captured minus refunded per worker and period, and its CSV;
- ``forms``, ``views/`` (by topic) and ``urls`` (namespace ``provider``).

Offers and manual assignment are dispatch services (``bookings.dispatch``); the views call them.
"""
