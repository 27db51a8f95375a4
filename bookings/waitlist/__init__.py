"""The waiting list of a full day (issue 18).

- ``models``: WaitlistEntry (a resident waiting for a service on a day; its offer: a freed
  time held for them 15 minutes)
- ``services``: join, leave, the sweep that offers freed times in order and passes an
  unanswered offer to the next resident, accept
- ``views``/``urls``: join from the service page, the offer page with its one-click accept
"""
