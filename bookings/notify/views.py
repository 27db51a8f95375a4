"""The page where a person chooses, per kind of notice, the channels they want."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bookings.models import Notice, Worker
from bookings.notify.preferences import (
    CHANNELS,
    HANDLER_KINDS,
    PROVIDER_KINDS,
    RESIDENT_KINDS,
    preferences_of,
    preferences_set,
)


def _kinds_for(user) -> list[str]:
    """The kinds ``user`` can be told: a resident's; a worker's or manager's; a handler's (a
    provider's manager, an enterprise's staff)."""
    kinds = list(RESIDENT_KINDS)
    manages = user.partners.exists()
    if manages or Worker.objects.filter(user=user).exists():
        kinds += [k for k in PROVIDER_KINDS if k not in kinds]
    if manages or user.enterprises.exists():
        kinds += [k for k in HANDLER_KINDS if k not in kinds]
    return kinds


@login_required
def notice_preferences(request):
    """GET: a table of kinds × channels. POST: ``<kind>:<channel>`` checkboxes; 400 (nothing
    written) for a name that is not one of the table's."""
    kinds = _kinds_for(request.user)
    if request.method == "POST":
        allowed = {f"{k}:{c}" for k in kinds for c in CHANNELS}
        ticked = {name for name in request.POST if ":" in name}
        if not ticked <= allowed:
            messages.error(request, _("Unknown notice kind or channel."))
            status = 400
        else:
            choices = {k: {c for c in CHANNELS if f"{k}:{c}" in ticked} for k in kinds}
            preferences_set(user=request.user, choices=choices)
            messages.success(request, _("Your notification choices are saved."))
            return redirect("notify:preferences")
    else:
        status = 200
    chosen = preferences_of(request.user, kinds)
    rows = [
        (kind, Notice.Kind(kind).label, [(c, c in chosen[kind]) for c in CHANNELS])
        for kind in kinds
    ]
    return render(
        request,
        "bookings/notice_preferences.html",
        {"rows": rows, "page_title": _("Notification choices")},
        status=status,
    )
