"""Whole public pages for anonymous visitors, from the cache, each with its visitor's CSRF token.

The catalogue and a fee board look the same to every anonymous visitor who has chosen the same
community and language; rendering them again for each visitor is most of their cost. Django's
``cache_page`` cannot serve them: the header's forms (community picker, language switch) carry
a CSRF token, and a cached copy would hand one visitor's token to the next, whose POST would be
refused. Here a page is stored with its tokens swapped for a placeholder, and served with the
placeholder swapped for this visitor's own token (``get_token``, which also sets their cookie).

Served from the cache only for a GET by an anonymous visitor who holds no basket (the badge), no
pending message (shown once) and no passed Wagtail password restriction (a page others may not
see). The key carries what the page shows: the caller's versions
(which any change of the page's data moves on), the communities version (the header's picker),
the language, the visitor's community and the full path. Only complete ``200 text/html``
responses are stored, and never one that says it must not be (``Cache-Control: no-store``,
``no-cache`` or ``private``, as Wagtail marks every response of a view-restricted page).
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from wagtail.models import PageViewRestriction

from marketplace.cache import request_version
from marketplace.community import COMMUNITIES_VERSION_KEY, current_community
from marketplace.preferences import elder_mode_for

PAGE_SECONDS = 10 * 60
_PLACEHOLDER = b"__linli_csrf_token__"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def anonymous_page(request, name: str, version_keys: tuple, render):
    """``render()``'s response, served from the cache when this visitor may share it.

    ``name`` tells the pages apart; ``version_keys`` are the cache keys of the versions that
    move on whenever anything the page shows changes."""
    key = _key(request, name, version_keys) if _shareable(request) else None
    if key is None:
        return render()
    hit = cache.get(key)
    if hit is not None:
        content, content_type = hit
        response = HttpResponse(
            content.replace(_PLACEHOLDER, get_token(request).encode()), content_type=content_type
        )
        response["X-Page-Cache"] = "hit"
        return response
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response = response.render()
    content_type = response.get("Content-Type", "")
    if (
        response.status_code == 200
        and content_type.startswith("text/html")
        and not _never_cache(response)
    ):
        if not getattr(response, "streaming", False):
            stored = _TOKEN.sub(rb"\1" + _PLACEHOLDER + rb"\2", response.content)
            cache.set(key, (stored, content_type), PAGE_SECONDS)
    return response


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


def _key(request, name: str, version_keys: tuple) -> str:
    keys = (*version_keys, COMMUNITIES_VERSION_KEY)
    community = current_community(request=request)
    path = hashlib.md5(
        f"{request.get_host()}{request.get_full_path()}".encode(), usedforsecurity=False
    ).hexdigest()
    parts = (
        name,
        *(request_version(request, key) for key in keys),
        get_language() or "",
        community.pk if community else 0,
        "elder" if elder_mode_for(request) else "",  # <html class> differs in elder mode
        path,
    )
    return "linli:page:" + ":".join(str(part) for part in parts)
