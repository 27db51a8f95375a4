"""Notices: ``reminders`` (plan, cancel, claim and send the ``Notice`` rows), ``messages`` (their
texts and recipients), ``channels`` (email, SMS and the in-app inbox)."""
