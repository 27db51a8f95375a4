"""Regular care: a recurring series of appointments with the same worker (issue 18).

- ``models``: Series (the rule, the preferred worker, how far it is materialised) and
  SeriesOccurrence (one start of the rule: booked, unfilled, skipped or ended)
- ``rules``: the RRULE a series form describes, expanded in Asia/Shanghai
- ``planning``: which worker each coming occurrence would get, shown before confirming
- ``services``: create, extend to the horizon (beat), skip, end
- ``notices``: the one function that tells the resident (``bookings.notify`` underneath)
- ``views``, ``forms``, ``urls``: the residents' pages

Every occurrence is an ordinary appointment booked through ``appointment_book``: its own hold,
price, reminders and payment, under the one lock order.
"""
