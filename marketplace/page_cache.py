"""Whole public pages for anonymous visitors: one copy in Django's cache, served to all of them,
with the HTTP headers a browser or a reverse proxy needs to keep and revalidate it.

The catalogue and a fee board look the same to every anonymous visitor who has chosen the same
community and language. They carry no per-visitor token: the header's community picker and
language switch are GET forms (``marketplace.views.choose_community``, ``choose_language``), and
no form on these pages posts. So the rendered page is stored as it is and served as it is.

Served from the cache only for a GET or HEAD by an anonymous visitor who holds no basket (the
badge), no pending message (shown once) and no passed Wagtail password restriction (a page
others may not see). The key (and the page's ``ETag``) carries what the page shows: the caller's
versions (which any change of the page's data moves on, in the changing transaction and again
on commit), the communities version (the header's picker), the language, the visitor's
community and the full path. A page is stored only when it is a complete ``200 text/html``
response that does not say it must not be (``no-store``, ``no-cache``, ``private``: Wagtail marks
every response of a view-restricted page so) and holds no CSRF token and no CSP nonce.

Headers of a shared page (a hit, or a miss that was stored):

* ``ETag`` (the key's digest) and ``Last-Modified`` (when the copy was rendered): a browser or a
  proxy revalidating with ``If-None-Match`` gets ``304`` from the versions alone, before the
  cache is read;
* ``Cache-Control: public, max-age=0, must-revalidate``: a proxy may keep the page, and asks
  every time, so a change shows on the next view as it does here;
* ``Vary: Cookie, Accept-Language``: the community is in the session, the language in a cookie
  or the browser's preference. A proxy shares the page among visitors without cookies (a
  visitor who has not chosen a community gets none from these pages).

Django's ``cache_page`` is not used: it keys by the values of every ``Vary`` header, and the
whole ``Cookie`` header differs from one visitor to the next; the key here names exactly what
the page reads from the cookies instead. Any other response (signed in, a basket, a message)
is marked ``Cache-Control: private``.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from wagtail.models import PageViewRestriction

from marketplace.cache import request_version
from marketplace.community import COMMUNITIES_VERSION_KEY, current_community
from marketplace.personal_page_cache import personal_page
from marketplace.preferences import elder_mode_for

PAGE_SECONDS = 10 * 60
_TOKEN_FIELD = b'name="csrfmiddlewaretoken"'
#: A per-response CSP nonce (``<script nonce="...">``): another visitor's response has another.
_NONCE = b' nonce="'


def anonymous_page(request, name: str, version_keys: tuple, render):
    """``render()``'s response, served from the cache when this visitor may share it.

    ``name`` tells the pages apart; ``version_keys`` are the cache keys of the versions that
    move on whenever anything the page shows changes. Returns ``render()``'s response (marked
    ``private`` when the visitor may not share it), a cached copy, or ``304 Not Modified``.
    A signed-in resident's page may be their own stored copy
    (``marketplace.personal_page_cache``)."""
    if not _shareable(request):
        response = personal_page(request, name, version_keys, render)
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ("Cookie",))
        return response
    tag = _tag(request, name, version_keys)
    etag = quote_etag(tag)
    if request.headers.get("If-None-Match"):
        # The versions alone say whether the visitor's copy is current: no cache read needed.
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _shared(not_modified, etag, None)
    key = "linli:page:" + tag
    hit = cache.get(key)
    if hit is not None:
        content, content_type, rendered_at = hit
        not_modified = get_conditional_response(request, etag=etag, last_modified=rendered_at)
        if not_modified is not None:
            return _shared(not_modified, etag, rendered_at)
        response = HttpResponse(content, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return _shared(response, etag, rendered_at)
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response = response.render()
    if not _storable(response):
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ("Cookie",))
        return response
    rendered_at = int(time.time())
    cache.set(key, (response.content, response["Content-Type"], rendered_at), PAGE_SECONDS)
    return _shared(response, etag, rendered_at)


def _shared(response, etag: str, rendered_at: int | None):
    response["ETag"] = etag
    if rendered_at is not None:
        response["Last-Modified"] = http_date(rendered_at)
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _storable(response) -> bool:
    """A complete 200 HTML page, not marked never-cache, without a per-visitor CSRF token or
    a per-response CSP nonce (a stored copy would carry one visitor's to the next)."""
    return (
        response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
        and not getattr(response, "streaming", False)
        and not _never_cache(response)
        and _TOKEN_FIELD not in response.content
        and _NONCE not in response.content
    )


def _never_cache(response) -> bool:
    """The response says it must not be stored (``add_never_cache_headers``, ``private``):
    Wagtail marks every response of a view-restricted page so, its password form included."""
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return bool(directives & {"no-store", "no-cache", "private"})


def _shareable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    if settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES:
        return False
    session = request.session
    if PageViewRestriction.passed_view_restrictions_session_key in session:
        return False
    # Django's default message storage: a cookie, falling back to the session.
    return "messages" not in request.COOKIES and "_messages" not in session


def _tag(request, name: str, version_keys: tuple) -> str:
    """The digest of everything the page shows: the key of the stored copy and its ETag."""
    keys = (*version_keys, COMMUNITIES_VERSION_KEY)
    community = current_community(request=request)
    parts = (
        name,
        *(request_version(request, key) for key in keys),
        get_language() or "",
        community.pk if community else 0,
        "elder" if elder_mode_for(request) else "",  # <html class> differs in elder mode
        request.get_host(),
        request.get_full_path(),
    )
    return hashlib.md5(
        ":".join(str(part) for part in parts).encode(), usedforsecurity=False
    ).hexdigest()
