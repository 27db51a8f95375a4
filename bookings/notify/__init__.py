"""Notices: what Linli tells people, once, on the channels each chose.

- ``events``: ``notify(user=, kind=, appointment=, key=, context=)`` — THE entry point for a
  notice due now (other features call it); ``transition_notices`` / ``reschedule_notices``
  (called by the appointment's lifecycle).
- ``reminders``: plan, cancel, claim and send the ``Notice`` rows (reminders and all notices).
- ``deliveries``: each notice's email and SMS as ``NoticeDelivery`` rows: claimed, retried with
  backoff, then failed; SMS quiet hours.
- ``claims``: the claim lease and the "still true?" check both of them use.
- ``preferences``: channels per person and kind; ``views``/``urls``: the choices page.
- ``messages``: texts in the recipient's language (``kind_register`` for new kinds).
- ``channels``: email, template SMS backends, the Oscar inbox.
- ``handlers``: refunds and failed payments (payment signals).
"""
