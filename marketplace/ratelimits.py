"""Rate limits: one decorator, limits in settings, 429 with ``Retry-After`` and a translated message.

Apply to a view::

    @rate_limited("booking")           # the name of a LINLI_RATE_LIMITS entry
    @require_POST
    def book(request): ...

``LINLI_RATE_LIMITS[name]`` is django-ratelimit's ``"<count>/<period>"`` (period ``s``, ``m``,
``h`` or ``d``, e.g. ``"20/m"``), read on every request (so tests and operators can change it).
Requests are counted per user when logged in, else per client address (``user_or_ip``), in the
``default`` cache (Redis in production: shared by every web process), over fixed windows. The
request that goes over the limit, and every one after it in the window, is answered 429 with
``Retry-After`` (seconds until the window ends) and never reaches the view: nothing is written.

When the cache cannot count (Redis is down) the request is let through: a booking must not fail
because the limiter's store did (DESIGN.md, "A booking committed while Redis is down").
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from marketplace.bad_input import wants_json

logger = logging.getLogger("linli.ratelimits")

ALL_METHODS = None  # count every method; pass ("POST",) to count writes only


def _rate(name: str):
    def rate(group, request) -> str | None:
        return settings.LINLI_RATE_LIMITS.get(name)

    return rate


def too_many_requests(request, *, retry_after: int) -> HttpResponse:
    """429 with ``Retry-After: <seconds>`` and a message in the request's language; JSON
    (``{"error": ..., "retry_after": seconds}``) for a JSON client or a ``.json`` address."""
    retry_after = max(int(retry_after), 1)
    message = _("Too many requests. Please wait %(seconds)d seconds and try again.") % {
        "seconds": retry_after
    }
    if wants_json(request) or request.path.endswith(".json"):
        response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    else:
        response = render(request, "too_many_requests.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(name: str, *, methods: tuple[str, ...] | None = ALL_METHODS):
    """Decorate a view with the limit ``settings.LINLI_RATE_LIMITS[name]`` (see the module).

    ``name`` also names the counter, so two views with one name share it. ``methods`` (e.g.
    ``("POST",)``) limits counting to those methods. Raises ``KeyError`` at import when ``name``
    is not in the settings, so a typo never silently disables a limit.
    """
    if name not in settings.LINLI_RATE_LIMITS:
        raise KeyError(f"LINLI_RATE_LIMITS has no limit named {name!r}")

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                usage = get_usage(
                    request,
                    group=f"linli:{name}",
                    key="user_or_ip",
                    rate=_rate(name),
                    method=list(methods) if methods else get_usage.ALL,
                    increment=True,
                )
            except Exception:  # the cache is down: let the request through (module docstring)
                logger.warning("rate limit %s not counted: cache unavailable", name, exc_info=True)
                usage = None
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, retry_after=usage["time_left"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
