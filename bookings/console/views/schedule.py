"""The console's time pages: a worker's weekly hours and time off, and the team's week."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.console import schedule
from bookings.console.access import time_off_for, worker_for
from bookings.console.forms import TimeOffForm, WeeklyHoursForm, week_start
from bookings.console.views.base import console, page
from bookings.exceptions import BookingError
from bookings.models import Worker


@console(worker=True)
def my_hours(request):
    """The worker's own weekly hours and time off."""
    return _hours(request, request.console.worker, own=True)


@console(manager=True)
def worker_hours(request, pk):
    """A manager edits one of the provider's workers' hours and time off."""
    return _hours(request, worker_for(request.console, pk), own=False)


def _hours(request, worker: Worker, *, own: bool):
    here = reverse("provider:hours") if own else reverse("provider:worker-hours", args=[worker.pk])
    hours_form = WeeklyHoursForm(hours=worker.weekly_hours.all())
    time_off_form = TimeOffForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "hours":
            hours_form = WeeklyHoursForm(request.POST, hours=worker.weekly_hours.all())
            if hours_form.is_valid():
                try:
                    schedule.weekly_hours_set(worker=worker, hours=hours_form.cleaned_data["hours"])
                except BookingError as exc:
                    hours_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Weekly hours saved. Residents see them now."))
                    return redirect(here)
        elif action == "time_off":
            time_off_form = TimeOffForm(request.POST)
            if time_off_form.is_valid():
                data = time_off_form.cleaned_data
                try:
                    schedule.time_off_add(
                        worker=worker, start=data["start"], end=data["end"], reason=data["reason"]
                    )
                except BookingError as exc:
                    time_off_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Time off added."))
                    return redirect(here)
    context = page(
        request,
        worker=worker,
        own=own,
        hours_form=hours_form,
        time_off_form=time_off_form,
        time_off=schedule.upcoming_time_off(worker),
    )
    return render(request, "bookings/provider/hours.html", context)


@require_POST
@console()
def time_off_delete(request, pk):
    """Remove a time off entry (a worker's own; a manager's for any of their workers)."""
    role = request.console
    entry = time_off_for(role, pk)
    schedule.time_off_delete(time_off=entry)
    messages.success(request, _("Time off removed."))
    if role.is_worker and entry.worker_id == role.worker.pk:
        return redirect("provider:hours")
    return redirect("provider:worker-hours", pk=entry.worker_id)


@console(manager=True)
def team(request):
    """The team's week (``?week=YYYY-MM-DD``, any day of it): hours, jobs and time off."""
    start = week_start(request.GET.get("week"))
    rows = schedule.team_week(request.console.provider, start)
    context = page(
        request,
        rows=rows,
        week=start,
        days=[d.day for d in rows[0].days] if rows else [],
        previous_week=start - timedelta(days=7),
        next_week=start + timedelta(days=7),
    )
    return render(request, "bookings/provider/team.html", context)
