"""A database outage is a clear, retryable 503, never a 500 "server error" page.

While PostgreSQL restarts (or fails over), every request that touches it raises
``OperationalError``/``InterfaceError``: nothing was written that a later retry would
duplicate (each write is a transaction that rolled back), so the honest answer is
"temporarily unavailable, try again", with ``Retry-After``.

Django turns an exception raised anywhere inside the middleware chain into a 500 response
before an outer middleware sees it, so the exception is noted on the request when Django
reports it (``got_request_exception``) and this middleware, placed first, swaps that 500 for
the 503. The page uses no template and no database: both may be what is down.
"""

from __future__ import annotations

import sys

from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, InternalError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5
_FLAG = "_linli_database_down"


def _is_connection_error(exc: BaseException | None) -> bool:
    """A lost or refused database connection, wrapped by Django or raw from the driver, also
    when it surfaces as the cause of another error (a transaction aborted by the restart)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (OperationalError, InterfaceError, InternalError)):
            return True
        if type(exc).__module__.startswith("psycopg") and type(exc).__name__ in (
            "OperationalError",
            "InterfaceError",
            "AdminShutdown",
            "InternalError",
        ):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


@receiver(got_request_exception, dispatch_uid="linli_database_down")
def _note_database_error(sender, request=None, **kwargs):
    if request is not None and _is_connection_error(sys.exc_info()[1]):
        setattr(request, _FLAG, True)


def database_unavailable_response(request) -> HttpResponse:
    """The 503 page (with ``Retry-After``) in the request's language; no template, no query."""
    language = getattr(request, "LANGUAGE_CODE", None) or get_language() or "zh-hans"
    with override(language):
        return _page(request, language)


def _page(request, language: str) -> HttpResponse:
    message = _("Linli is briefly unavailable while its database restarts. Please try again.")
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": message, "retry_after": RETRY_AFTER_SECONDS}, status=503)
    else:
        title = _("Temporarily unavailable")
        again = _("Try again")
        response = HttpResponse(
            format_html(
                '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>{}</title></head>"
                '<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;'
                'padding:0 1rem;line-height:1.6"><h1>{}</h1><p>{}</p>'
                '<p><a href="">{}</a></p></body></html>',
                language,
                title,
                title,
                message,
                again,
            ),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Outermost middleware: a 500 caused by a database connection error becomes a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _FLAG, False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            # Noted too: the inner middleware's process_response (the session's save) may
            # fail on the same outage, and its 500 must become this 503 as well.
            setattr(request, _FLAG, True)
            return database_unavailable_response(request)
        return None
