"""Appointments: the one price decision, the one lock order, holds, one click, the basket,
cancel and reschedule, and what a transition triggers."""
