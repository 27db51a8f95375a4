"""The answer to a locked-out login (django-axes' ``AXES_LOCKOUT_CALLABLE``).

Every login form (the shop's, Wagtail's ``/cms/login/``, Django's ``/django-admin/login/``) gets
the same page: 429, ``Retry-After`` (seconds of the cool-off) and a message in the visitor's
language that says how long to wait and who can unlock the account (staff: Django's admin,
"Access attempts", or ``manage.py axes_reset_username <email>``).
"""

from __future__ import annotations

from math import ceil

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The lockout page (429) for ``request``; the cool-off from ``AXES_COOLOFF_TIME``."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(
        request,
        "axes/lockout.html",
        {"cooloff_minutes": max(ceil(seconds / 60), 1)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def login_username(request, credentials=None) -> str:
    """The account a login attempt names, as django-axes counts it (``AXES_USERNAME_CALLABLE``).

    Every form passes it to ``authenticate()`` as ``username`` (the shop's e-mail address,
    Wagtail's and Django's admin). Case and surrounding spaces are dropped: e-mail addresses
    log in whatever their case, so ``A@x.cn`` and ``a@x.cn`` are one account's failures.
    """
    if credentials:
        name = credentials.get("username")
    else:
        data = getattr(request, "data", request.POST)
        name = data.get("username") or data.get("login-username")
    return (name or "").strip().lower()
