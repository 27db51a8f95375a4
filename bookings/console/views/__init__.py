"""The provider console's views, by topic: ``jobs`` (home, a job, offers), ``schedule`` (hours,
time off, the team's week) and ``manage`` (dispatch board, assignment, prices, earnings).

Every view goes through ``base.console`` (who may enter, as what) and reaches objects through
the one helper per kind in ``bookings.console.access``.
"""
