from django.core.cache import cache

from marketplace.community import current_community
from marketplace.models import COMMUNITIES_VERSION_KEY, Community


def community(request):
    """The community shown in the header and the (lazy) list for the visitor's picker.

    ``communities_version`` keys the header's cached picker: it changes whenever a community
    is saved or deleted, so the cached options are never stale.
    """
    return {
        "current_community": current_community(request=request),
        "all_communities": Community.objects.select_related("enterprise").order_by("pk"),
        "communities_version": cache.get(COMMUNITIES_VERSION_KEY, 0),
    }
