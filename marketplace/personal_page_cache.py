"""Whole pages for a signed-in resident: one copy per resident, in Django's cache.

The catalogue and a fee board differ between residents only in the header (their name, basket
badge, community, language, elder mode, the provider-console link) and the CSRF token of its
forms. A resident opens the same page again and again; rendering it each time cost several
times what serving it does. So the response a resident's view renders is stored under a key
that names everything the page shows, and served as it is until any of it changes:

* the page's versions (``version_keys``, moved on by every change of the page's data, in the
  changing transaction and again on commit) and the communities version (the header's picker);
* the resident: id, name and e-mail address (the header shows them), elder mode, whether they
  manage a provider or are a worker (the console link), the basket badge's count (read with
  the request's versions: ``marketplace.context_processors.basket_items``);
* the language, the community shown, the host and the full path.

The key is a digest of those values, so a change is never "invalidated": the next view simply
has another key, and the old copy expires (``PAGE_SECONDS``). Whatever the header comes to show
must join ``_tag``'s parts.

The CSRF token of the header's POST forms is per browser (its ``csrftoken`` cookie): it is
stored as a placeholder and filled with this request's token (``get_token``, which also sets
the cookie when the browser has none) when served.

Not stored or served: anything but a GET; staff (the dashboard link follows permissions); a
visitor with a message waiting (shown once), an anonymous cookie basket, or a passed Wagtail
password restriction; a response that is not a complete ``200 text/html`` page, says it must
not be stored (``no-store``, ``no-cache``, ``private``: Wagtail marks a restricted page's so)
or holds a CSP nonce (per response).
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
from marketplace.context_processors import basket_items

PAGE_SECONDS = 10 * 60
#: The value of every CSRF token field of a stored page (a token never looks like this).
_PLACEHOLDER = b"linli-csrf-token-placeholder"
_TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_STORED_FIELD = b'name="csrfmiddlewaretoken" value="' + _PLACEHOLDER + b'"'
_NONCE = b' nonce="'
#: Says on a response that it came from this cache (tests and the bench read it).
HIT_HEADER = "X-Personal-Page-Cache"


def personal_page(request, name: str, version_keys: tuple, render):
    """``render()``'s response, or this resident's stored copy of it.

    ``name`` tells the pages apart; ``version_keys`` are the cache keys of the versions that
    move on whenever the page's data changes (as for ``marketplace.page_cache``). Returns
    ``render()``'s response (rendered when needed) for anyone this cache is not for."""
    tag = _tag(request, name, version_keys) if _personal(request) else None
    if tag is None:
        return render()
    key = "linli:personal-page:" + tag
    hit = cache.get(key)
    if hit is not None:
        content, content_type = hit
        if _PLACEHOLDER in content:
            token = get_token(request).encode()
            content = content.replace(_PLACEHOLDER, token)
        response = HttpResponse(content, content_type=content_type)
        response[HIT_HEADER] = "hit"
        return response
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response = response.render()
    if storable(response):
        stored = _TOKEN_FIELD.sub(_STORED_FIELD, response.content)
        cache.set(key, (stored, response["Content-Type"]), PAGE_SECONDS)
    return response


def _personal(request) -> bool:
    """A signed-in, non-staff user's GET, with nothing shown once (``holds_visitor_state``)."""
    user = getattr(request, "user", None)
    if request.method != "GET" or user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return False
    return not holds_visitor_state(request)


def holds_visitor_state(request) -> bool:
    """Whether this browser's page shows something of its own that a stored copy would not:
    an anonymous cookie basket, a message waiting (Django's default storage: a cookie, falling
    back to the session), or a passed Wagtail password restriction. Reads the session."""
    if settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES or "messages" in request.COOKIES:
        return True
    session = request.session
    return (
        "_messages" in session
        or PageViewRestriction.passed_view_restrictions_session_key in session
    )


def storable(response) -> bool:
    """A complete ``200 text/html`` page that does not say it must not be stored (``no-store``,
    ``no-cache``, ``private``: Wagtail marks every response of a view-restricted page so, its
    password form included) and holds no CSP nonce (one per response)."""
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    if directives & {"no-store", "no-cache", "private"}:
        return False
    return _NONCE not in response.content


def _tag(request, name: str, version_keys: tuple) -> str:
    """The digest of everything the page shows this resident: the key of their copy."""
    user = request.user
    community = current_community(request=request)
    parts = (
        name,
        *(request_version(request, key) for key in (*version_keys, COMMUNITIES_VERSION_KEY)),
        user.pk,
        user.get_full_name(),
        user.email,
        "elder" if user.elder_mode else "",
        "console" if user.has_provider_console else "",
        basket_items(request),
        get_language() or "",
        community.pk if community else 0,
        request.get_host(),
        request.get_full_path(),
    )
    return hashlib.md5(
        "\x1f".join(str(part) for part in parts).encode(), usedforsecurity=False
    ).hexdigest()
