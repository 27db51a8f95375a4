"""Bad input is a clear 4xx that changes nothing, never a 500.

``bad_request`` is the one answer a view gives to input it cannot use: a short page (or JSON for
``Accept: application/json``) saying what to fix, with status 400 (or the one given).

``RejectNullCharactersMiddleware`` refuses, before any view runs, a request whose path, query,
form fields or cookies carry a NUL character: no Linli field can hold one (PostgreSQL's text
types refuse ``\\x00``, and Django's form fields reject it for that reason,
``ProhibitNullCharactersValidator``), so every look-up or write with one would fail with a 500,
possibly after earlier writes of the same request.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.policy import DATE_REACH


def wants_json(request) -> bool:
    """Did the client ask for JSON (``Accept: application/json``)?"""
    return "application/json" in request.headers.get("Accept", "")


def bad_request(request, message: str, *, status: int = 400, back_url: str = ""):
    """The answer to input a view cannot use: ``{"error": message}`` or a page with the message
    and a link back (``back_url``, default the site's front page). ``status`` is a 4xx."""
    if wants_json(request):
        return JsonResponse({"error": str(message)}, status=status)
    return render(
        request,
        "bad_request.html",
        {"message": message, "back_url": back_url or "/"},
        status=status,
    )


def within_reach(value: date | datetime) -> bool:
    """Is ``value`` (a date, or a datetime, aware or naive) within ``DATE_REACH`` of today
    (local)? Compared by calendar date, which never overflows."""
    day = value.date() if isinstance(value, datetime) else value
    return abs(day - timezone.localdate()) <= DATE_REACH


DATE_OUT_OF_REACH = gettext_lazy("Please enter a date within %(years)d years of today.")


def validate_within_reach(value) -> None:
    """A form field validator: ``ValidationError`` for a date or datetime out of reach."""
    if value is not None and not within_reach(value):
        raise ValidationError(
            DATE_OUT_OF_REACH, code="out_of_reach", params={"years": DATE_REACH.days // 366}
        )


def _has_nul(query) -> bool:
    """Does a ``QueryDict`` (or a plain dict) carry a NUL in any key or value?"""
    lists = query.lists() if hasattr(query, "lists") else ((k, [v]) for k, v in query.items())
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in lists)


class RejectNullCharactersMiddleware:
    """400 for a NUL character anywhere in the path, the query, the form or the cookies.

    Placed after Django's session, locale (the message is in the visitor's language), auth and
    messages middleware, which read nothing yet, and before Oscar's basket and the redirects,
    which look rows up by cookie and by path.
    A JSON body (Stripe's webhooks) is not read here; its view validates it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        form = request.POST if request.content_type in _FORM_TYPES else {}
        bad_cookie = _has_nul(request.COOKIES)
        if "\x00" in request.path_info or bad_cookie or _has_nul(request.GET) or _has_nul(form):
            if bad_cookie:
                # The page is rendered without them: a session key with a NUL cannot even be
                # looked up. The visitor's browser keeps them until it is sent a good one.
                request.COOKIES = {k: v for k, v in request.COOKIES.items() if "\x00" not in k + v}
                if hasattr(request, "session"):
                    request.session = type(request.session)()
            return bad_request(
                request,
                _(
                    "Your request contains a character that is not allowed (NUL). "
                    "Remove it and try again."
                ),
            )
        return self.get_response(request)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
