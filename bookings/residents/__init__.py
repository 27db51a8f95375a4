"""The residents' pages under /shop/: a service's free times and one-click booking, the basket,
My appointments (cancel, reschedule, .ics and a private calendar feed) and My homes.

- ``views`` and ``urls`` (namespace ``bookings``); ``forms``;
- ``service_page``: what a service page shows (computed by the catalogue's detail view);
- ``households``: adding homes and the default one; ``ics``: iCalendar files and feeds.
"""
