"""Which community is this visitor looking at? The default household's, or the one chosen."""

from __future__ import annotations

SESSION_KEY = "linli_community_id"


def current_community(*, request=None, user=None):
    from marketplace.models import Community, Household

    if request is not None and hasattr(request, "_linli_community"):
        return request._linli_community
    if user is None and request is not None:
        user = request.user
    community = None
    if user is not None and user.is_authenticated:
        household = (
            Household.objects.select_related("community", "community__enterprise")
            .filter(user=user, is_default=True)
            .first()
        )
        if household:
            community = household.community
    if community is None and request is not None and hasattr(request, "session"):
        community_id = request.session.get(SESSION_KEY)
        if community_id:
            community = (
                Community.objects.select_related("enterprise").filter(pk=community_id).first()
            )
    if request is not None:
        request._linli_community = community
    return community
