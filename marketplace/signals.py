"""Signal receivers of the marketplace app: the caches keyed by communities and homes.

Connected in ``MarketplaceConfig.ready``.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from marketplace.cache import bump_version
from marketplace.community import COMMUNITIES_VERSION_KEY, home_cache_key
from marketplace.models import Community, Enterprise, Household


@receiver([post_save, post_delete], sender=Community, dispatch_uid="linli-communities-version")
@receiver([post_save, post_delete], sender=Enterprise, dispatch_uid="linli-enterprises-version")
def communities_changed(sender, **kwargs):
    """Moves on the communities version: it keys the header's cached community picker
    (templates/partials/site_header.html) and the cached community of a visitor
    (``marketplace.community``)."""
    bump_version(COMMUNITIES_VERSION_KEY)


@receiver([post_save, post_delete], sender=Household, dispatch_uid="linli-home-community")
def household_changed(sender, instance, **kwargs):
    """Forgets the cached home community of the household's user (``marketplace.community``):
    now and again at commit, so a page read in between cannot cache the old home."""
    key = home_cache_key(instance.user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
