from marketplace.community import current_community
from marketplace.models import Community


def community(request):
    """The community shown in the header and the list for the visitor's picker."""
    return {
        "current_community": current_community(request=request),
        "all_communities": Community.objects.select_related("enterprise").order_by("pk"),
    }
