"""Which community is this visitor looking at? The default household's, or the one chosen."""

from __future__ import annotations

SESSION_KEY = "linli_community_id"


def current_community(*, request=None, user=None):
    if request is not None and hasattr(request, "_linli_community"):
        return request._linli_community
    if user is None and request is not None:
        user = request.user
    community = None
    if user is not None and user.is_authenticated:
        home = _home_community_id(user)
        if home:
            community = _community(home)
    if community is None and request is not None and hasattr(request, "session"):
        community_id = request.session.get(SESSION_KEY)
        if community_id:
            community = _community(community_id)
    if request is not None:
        request._linli_community = community
    return community


def _community(pk):
    """A visitor's chosen community, from the cache: it is read on every page they open.

    The key carries the communities version, which any save of a community or an enterprise
    moves on (``marketplace.models``), so a cached copy is never stale.
    """
    from django.core.cache import cache

    from marketplace.models import COMMUNITIES_VERSION_KEY, Community

    key = f"linli:community:{pk}:v{cache.get(COMMUNITIES_VERSION_KEY, 0)}"
    community = cache.get(key)
    if community is None:
        community = Community.objects.select_related("enterprise").filter(pk=pk).first()
        if community is not None:
            cache.set(key, community, 3600)
    return community


def home_cache_key(user_id) -> str:
    return f"linli:home:{user_id}"


def _home_community_id(user) -> int:
    """The community of the user's default home (0 for none), from the cache: every page a
    resident opens asks. ``marketplace.models`` forgets it when a household is saved."""
    from django.core.cache import cache

    from marketplace.models import Household

    key = home_cache_key(user.pk)
    home = cache.get(key)
    if home is None:
        home = (
            Household.objects.filter(user=user, is_default=True)
            .values_list("community_id", flat=True)
            .first()
        ) or 0
        cache.set(key, home, 3600)
    return home
