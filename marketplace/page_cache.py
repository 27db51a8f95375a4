"""Whole public pages for anonymous visitors: one copy in Django's cache, served to all of them
before most of the middleware runs, with the HTTP headers a browser or a reverse proxy needs to
keep and revalidate it.

The catalogue and a fee board look the same to every anonymous visitor who has chosen the same
community and language. They carry no per-visitor token: the header's community picker and
language switch are GET forms (``marketplace.views.choose_community``, ``choose_language``), and
no form on these pages posts. So the rendered page is stored as it is and served as it is.

A service page is shared the same way: a visitor's times (and the basket's list) are GET forms
to ``bookings:login-to-book``, which asks them to log in and brings them back to the chosen
time; the page is stale once the catalogue, a fee board, a review or a calendar version of the
slot cache its times were read under moves on, and kept at most a minute (the booking window
moves with the clock). A signed-in resident's service page is never stored.

Two halves, as Django's own ``UpdateCacheMiddleware``/``FetchFromCacheMiddleware`` pair:

* the view wraps its rendering in ``anonymous_page``: it decides whether this visitor may
  share the page and whether the response may be stored, and gives a shared response its
  ``ETag``, ``Last-Modified``, ``Cache-Control`` and ``Vary``;
* ``SharedPageMiddleware``, right after the session middleware, stores such a response on its
  way out, and answers the next anonymous request for the same page from the cache (or with
  ``304 Not Modified``) before locale, CSRF, authentication, messages, the basket and the view
  run: two cache round trips (the session; the page together with every version).

Served from the cache only for a GET or HEAD by an anonymous visitor who holds no basket (the
badge), no pending message (shown once) and no passed Wagtail password restriction (a page
others may not see). The key names what the page shows: the language, the visitor's community,
elder mode, the host and the full path; the stored copy carries the versions it was rendered
under (the page's own, which any change of its data moves on in the changing transaction and
again on commit, and the communities version of the header's picker) and is served only while
all of them are unchanged. A page is stored only when it is a complete ``200 text/html`` GET
response that sets no cookie, does not say it must not be (``no-store``, ``no-cache``,
``private``: Wagtail marks every response of a view-restricted page so) and holds no CSRF token
and no CSP nonce.

Headers of a shared page (a hit, or a miss that was stored):

* ``ETag`` (a digest of the key and the versions) and ``Last-Modified`` (when the copy was
  rendered): a browser or a proxy revalidating gets ``304``;
* ``Cache-Control: public, max-age=0, must-revalidate``: a proxy may keep the page, and asks
  every time, so a change shows on the next view as it does here;
* ``Vary: Cookie, Accept-Language``: the community is in the session, the language in a cookie
  or the browser's preference. A proxy shares the page among visitors without cookies (a
  visitor who has not chosen a community gets none from these pages).

Django's ``cache_page`` is not used as is: it keys by the values of every ``Vary`` header, and
the whole ``Cookie`` header differs from one visitor to the next; the key here names exactly
what the page reads from the cookies instead. Any other response of these views (signed in, a
basket, a message) is marked ``Cache-Control: private``.
"""

from __future__ import annotations

import hashlib
import time

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language, get_language_from_request

from marketplace.cache import is_registered, read_with_versions, request_version
from marketplace.community import COMMUNITIES_VERSION_KEY, current_community
from marketplace.community import SESSION_KEY as COMMUNITY_SESSION_KEY
from marketplace.personal_page_cache import holds_visitor_state, personal_page, storable
from marketplace.preferences import ELDER_COOKIE

PAGE_SECONDS = 10 * 60
#: Paths that may be shared pages (exact, and prefixes of paths ending in ``/``): only these
#: are looked up in the cache. Which of them are shared is the views' choice (``anonymous_page``).
SHARED_PATHS = ("/shop/catalogue/",)
SHARED_PREFIXES = ("/boards/", "/shop/catalogue/")
_TOKEN_FIELD = b'name="csrfmiddlewaretoken"'
#: On the request: the page's cache key (set by the middleware for a candidate request).
_KEY_ATTR = "_linli_page_key"
#: On the request: (name, versions, etag, rendered_at) of a response ``anonymous_page`` shares.
_STORE_ATTR = "_linli_page_store"


class SharedPageMiddleware:
    """Answer an anonymous visitor's shared page from the cache; store one on its way out.

    Placed right after ``SessionMiddleware`` (it reads the session: the visitor's community,
    and whether they are signed in) and before ``LocaleMiddleware``: a hit skips everything
    after it, the view included. The outer middleware (security headers, CSP, request id,
    Prometheus' request count and latency) runs for a hit as for any response; the innermost
    (Prometheus' per-view counts, axes) does not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _candidate_key(request)
        if key is not None:
            found = read_with_versions(request, [key])
            entry = found.get(key)
            if entry is not None:
                response = _serve(request, entry)
                if response is not None:
                    return response
            setattr(request, _KEY_ATTR, key)
        response = self.get_response(request)
        if key is not None and request.method == "GET":
            _store(request, key, response)
        return response


def anonymous_page(
    request,
    name: str,
    version_keys: tuple,
    render,
    *,
    more_versions=None,
    seconds: int = PAGE_SECONDS,
    personal: bool = True,
):
    """``render()``'s response, marked shared (and stored by ``SharedPageMiddleware``) when
    this visitor may share it and it may be stored, else marked ``private``.

    ``name`` tells the pages apart; ``version_keys`` are the cache keys of the versions that
    move on whenever anything the page shows changes (registered with
    ``marketplace.cache.register_version_key``). ``more_versions()`` (optional), called after
    rendering, gives further ``{cache key: version}`` the page was rendered under, read before
    the data they guard (the service page's slot calendars, ``ServiceBooking.versions``): a
    hit checks them too. ``seconds``: how long the copy is kept at most. A signed-in
    resident's page may be their own stored copy (``marketplace.personal_page_cache``) unless
    ``personal`` is False."""
    if not _shareable(request):
        if not personal:
            return _private(_rendered(render()))
        return _private(personal_page(request, name, version_keys, render))
    versions = {
        key: request_version(request, key) for key in (*version_keys, COMMUNITIES_VERSION_KEY)
    }
    response = _rendered(render())
    if not _storable(response):
        return _private(response)
    if more_versions is not None:
        versions.update(more_versions())
    community = current_community(request=request)
    page_key = getattr(request, _KEY_ATTR, None) or _key(
        request, get_language() or "", community.pk if community else 0
    )
    etag = quote_etag(_digest(name, page_key, *versions.values()))
    rendered_at = int(time.time())
    setattr(request, _STORE_ATTR, (name, versions, etag, rendered_at, seconds))
    return _shared(response, etag, rendered_at)


def _rendered(response):
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response = response.render()
    return response


# --- the middleware's halves ---------------------------------------------------------------


def _candidate_key(request) -> str | None:
    """The cache key of the shared page this request may be served, or None when it may not
    be (not a GET or HEAD of a shared path, signed in, a basket, a message, a passed view
    restriction). Reads the session (a cache read with the cached-db sessions)."""
    if request.method not in ("GET", "HEAD"):
        return None
    path = request.path_info
    if path not in SHARED_PATHS and not (path.startswith(SHARED_PREFIXES) and path[-1] == "/"):
        return None
    session = request.session
    if AUTH_SESSION_KEY in session or holds_visitor_state(request):
        return None
    # What LocaleMiddleware will activate for an anonymous visitor (no i18n URL patterns).
    language = get_language_from_request(request)
    return _key(request, language, session.get(COMMUNITY_SESSION_KEY) or 0)


def _key(request, language: str, community_id) -> str:
    elder = "elder" if request.COOKIES.get(ELDER_COOKIE) == "1" else ""  # <html class>
    return "linli:page:" + _digest(
        language, community_id, elder, request.get_host(), request.get_full_path()
    )


def _serve(request, entry) -> HttpResponse | None:
    """The stored page (or 304), or None when any version it was rendered under has moved."""
    name, versions, etag, rendered_at, content, headers = entry
    # Registered versions were read with the page; any others (the slot calendars) in one go.
    others = [key for key in versions if not is_registered(key)]
    current = cache.get_many(others) if others else {}
    for key, seen in versions.items():
        now = current.get(key, 0) if key in others else request_version(request, key)
        if now != seen:
            return None
    not_modified = get_conditional_response(request, etag=etag, last_modified=rendered_at)
    if not_modified is not None:
        return _shared(not_modified, etag, rendered_at)
    response = HttpResponse(content, headers=headers)
    response["X-Page-Cache"] = "hit"
    return response


def _store(request, key: str, response) -> None:
    """Store the response ``anonymous_page`` shared, unless something on its way out made
    it this visitor's own (a cookie set) or the view read another community or language."""
    shared = getattr(request, _STORE_ATTR, None)
    if shared is None or response.status_code != 200 or response.cookies:
        return
    community = current_community(request=request)
    if key != _key(request, get_language() or "", community.pk if community else 0):
        return
    name, versions, etag, rendered_at, seconds = shared
    headers = dict(response.items())
    cache.set(key, (name, versions, etag, rendered_at, response.content, headers), seconds)


# --- shared by both ------------------------------------------------------------------------


def _digest(*parts) -> str:
    return hashlib.md5(
        ":".join(str(part) for part in parts).encode(), usedforsecurity=False
    ).hexdigest()


def _private(response):
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ("Cookie",))
    return response


def _shared(response, etag: str, rendered_at: int):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(rendered_at)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _storable(response) -> bool:
    """``storable`` and without a per-visitor CSRF token (a stored copy would carry one
    visitor's to the next)."""
    return storable(response) and _TOKEN_FIELD not in response.content


def _shareable(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    return not holds_visitor_state(request)
