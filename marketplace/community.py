"""Which community is this visitor looking at? The default household's, or the one chosen.

Both are read on every page a visitor opens, so both are cached: the community under a key
carrying the communities version (``COMMUNITIES_VERSION_KEY``), the home community of a user
under ``home_cache_key``. ``marketplace/signals.py`` moves the one on and forgets the other.
"""

from __future__ import annotations

import copy
import time

from django.core.cache import cache

from marketplace.cache import (
    register_user_key,
    register_version_key,
    remember,
    request_value,
    request_version,
)
from marketplace.models import Community, Household

SESSION_KEY = "linli_community_id"
#: Keys the header's cached community picker (templates/partials/site_header.html), the cached
#: community of a visitor (here) and the anonymous pages (``marketplace.page_cache``).
COMMUNITIES_VERSION_KEY = register_version_key("linli:communities:version")
#: Seconds a process keeps its own copy of a community (besides the version in its key: if
#: the cache is flushed, the version starts again at 0 and only this bounds a stale copy).
LOCAL_SECONDS = 30
#: {(pk, communities version): (monotonic time stored, Community)}: this process's copies,
#: which spare a cache round trip on every page a visitor opens.
_local: dict = {}


def current_community(*, request=None, user=None):
    """The ``Community`` this visitor is looking at, or None.

    A signed-in resident's default household's community first, else the community chosen in
    the header (kept in the session). Remembered on ``request`` for the rest of the request.
    """
    if request is not None and hasattr(request, "_linli_community"):
        return request._linli_community
    if user is None and request is not None:
        user = request.user
    community = None
    if user is not None and user.is_authenticated:
        home = _home_community_id(user, request)
        if home:
            community = _community(home, request)
    if community is None and request is not None and hasattr(request, "session"):
        community_id = request.session.get(SESSION_KEY)
        if community_id:
            community = _community(community_id, request)
    if request is not None:
        request._linli_community = community
    return community


def _community(pk, request=None):
    """A visitor's chosen community, from the cache: it is read on every page they open.

    The key carries the communities version, which any save of a community or an enterprise
    moves on (``marketplace.signals``), so a cached copy is never stale. The process keeps its
    own copy under the same version for ``LOCAL_SECONDS``, which saves a cache round trip.
    """
    version = request_version(request, COMMUNITIES_VERSION_KEY)
    now = time.monotonic()
    local = _local.get((pk, version))
    if local is not None and now - local[0] < LOCAL_SECONDS:
        return copy.copy(local[1])  # a copy: a caller may set attributes on it
    key = f"linli:community:{pk}:v{version}"
    community = cache.get(key)
    if community is None:
        community = Community.objects.select_related("enterprise").filter(pk=pk).first()
        if community is not None:
            cache.set(key, community, 3600)
    if community is not None:
        if len(_local) > 1000:
            _local.clear()
        _local[(pk, version)] = (now, copy.copy(community))
    return community


def home_cache_key(user_id) -> str:
    """The cache key of the community of ``user_id``'s default household (0 for none)."""
    return f"linli:home:{user_id}"


register_user_key(home_cache_key)


def _home_community_id(user, request=None) -> int:
    """The community of the user's default home (0 for none), from the cache: every page a
    resident opens asks (read with the request's versions when it is the request's user).
    ``marketplace.signals`` forgets it when a household is saved."""
    key = home_cache_key(user.pk)
    if request is not None and getattr(request, "user", None) == user:
        home = request_value(request, key)
    else:
        request, home = None, cache.get(key)
    if home is None:
        home = (
            Household.objects.filter(user=user, is_default=True)
            .values_list("community_id", flat=True)
            .first()
        ) or 0
        cache.set(key, home, 3600)
        remember(request, key, home)
    return home
