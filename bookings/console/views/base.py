"""What every console view shares: who may enter (``console``) and the page's base context."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from bookings.console.access import console_role


def refuse(request, message: str):
    """A 403 page saying why the user may not open this page."""
    return render(request, "bookings/provider/forbidden.html", {"message": message}, status=403)


def console(manager: bool = False, worker: bool = False):
    """Let in users with a provider role (only managers / only workers when asked);
    ``request.console`` is their ``ConsoleRole``. Anonymous visitors are sent to log in;
    residents and enterprise staff without a provider role get a 403 page saying why."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            role = console_role(request.user)
            if role is None:
                return refuse(
                    request,
                    _(
                        "The provider console is for service providers' workers and managers. "
                        "Your account is not linked to a provider; if it should be, ask your "
                        "provider's manager to add you."
                    ),
                )
            if manager and not role.is_manager:
                return refuse(request, _("Only your provider's managers can open this page."))
            if worker and not role.is_worker:
                return refuse(request, _("Only workers can open this page."))
            request.console = role
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page(request, **context) -> dict:
    """A console page's context: ``context`` plus the user's ``role``."""
    context.setdefault("role", request.console)
    return context
