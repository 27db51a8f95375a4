"""Appointments: the one price decision (``quote``), the one lock order (``locking``), the
Oscar orders (``orders``), holding a worker (``hold``), one-click booking (``one_click``), the
basket (``basket``), cancel and reschedule (``changes``), what a transition triggers
(``lifecycle``) and the seam with payments (``payment``)."""
