"""Availability: the booking window (``window``), worker calendars (``calendars``) and the slot
search residents see (``search``)."""
