from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.utils.functional import SimpleLazyObject
from oscar.core.loading import get_model

from marketplace.cache import register_user_key, remember, request_value, request_version
from marketplace.community import COMMUNITIES_VERSION_KEY, current_community
from marketplace.models import Community


def community(request):
    """The community shown in the header and the (lazy) list for the visitor's picker.

    ``communities_version`` keys the header's cached picker: it changes whenever a community
    is saved or deleted, so the cached options are never stale.
    """
    return {
        "current_community": current_community(request=request),
        # Read only when the header's cached picker is cold: not even built before that.
        "all_communities": SimpleLazyObject(_all_communities),
        "communities_version": request_version(request, COMMUNITIES_VERSION_KEY),
        "basket_items": SimpleLazyObject(lambda: basket_items(request)),
    }


def _all_communities() -> list:
    return list(Community.objects.select_related("enterprise").order_by("pk"))


def basket_count_key(user_id) -> str:
    """The cache key of the badge count of ``user_id``'s open basket; ``marketplace.signals``
    forgets it whenever a basket or a line of it is saved or deleted."""
    return f"linli:basket-count:{user_id}"


register_user_key(basket_count_key)


def basket_items(request) -> int:
    """How many items the header's basket badge shows, in at most one small query (none when
    the count is cached: it is read with the request's versions).

    Loading Oscar's basket (``request.basket``) costs several queries and applies offers; the
    badge only needs a count. A basket the view already loaded is used as it is; a visitor
    holding a cookie basket (which a log-in merges) takes Oscar's full path.
    """
    loaded = getattr(request, "_basket_cache", None)
    if loaded is not None:
        return loaded.num_items
    has_cookie_basket = settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES
    user = getattr(request, "user", None)
    if not has_cookie_basket:
        if user is None or not user.is_authenticated:
            return 0
        key = basket_count_key(user.pk)
        count = request_value(request, key)
        if count is None:
            Basket, Line = get_model("basket", "Basket"), get_model("basket", "Line")
            lines = Line.objects.filter(basket__owner=user, basket__status=Basket.OPEN)
            count = lines.aggregate(n=Sum("quantity"))["n"] or 0
            cache.set(key, count, 600)
            remember(request, key, count)
        return count
    basket = getattr(request, "basket", None)
    return basket.num_items if basket is not None else 0
