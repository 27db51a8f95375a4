"""Signal receivers of the marketplace app: the caches keyed by communities and homes.

Connected in ``MarketplaceConfig.ready``.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from marketplace.cache import bump_version
from marketplace.community import COMMUNITIES_VERSION_KEY, home_cache_key
from marketplace.context_processors import basket_count_key
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


def _forget_basket_count(user_id) -> None:
    if user_id:
        key = basket_count_key(user_id)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))


@receiver([post_save, post_delete], sender="basket.Basket", dispatch_uid="linli-basket-count")
def basket_changed(sender, instance, raw=False, **kwargs):
    """Forgets the owner's cached basket badge (``marketplace.context_processors``): a basket
    submitted, merged or frozen is no longer the open one. Now and again at commit."""
    if not raw:
        _forget_basket_count(instance.owner_id)


@receiver([post_save, post_delete], sender="basket.Line", dispatch_uid="linli-basket-line-count")
def basket_line_changed(sender, instance, raw=False, **kwargs):
    """Forgets the owner's cached basket badge when a line is added, changed or removed."""
    if raw:
        return
    Basket = sender._meta.get_field("basket").related_model
    owner = Basket.objects.filter(pk=instance.basket_id).values_list("owner_id", flat=True)
    _forget_basket_count(owner.first())
