"""Whether a resident has ever held a package, kept per user in the cache: the service page
asks on every signed-in view, and most residents have none.

The value is read with the request's versions (``marketplace.cache.register_user_key``: no
extra round trip). ``True`` once any package of the user exists; ``False`` is forgotten when
one is created (at the save and again on commit, so a page that looked in between does not
keep it). A ``True`` that outlives the package costs the query it saves, never a wrong page.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from bookings.models import Package
from marketplace.cache import register_user_key, remember, request_value

#: How long the answer is kept (seconds).
HOLDER_SECONDS = 3600


def holder_key(user_id) -> str:
    """The cache key of whether ``user_id`` has ever held a package."""
    return f"linli:packages:holder:{user_id}"


register_user_key(holder_key)


def may_hold_packages(request, user) -> bool:
    """False only when ``user`` certainly holds no package (from the cache, else one query)."""
    key = holder_key(user.pk)
    if request is not None and getattr(request, "user", None) == user:
        held = request_value(request, key)
    else:
        request, held = None, cache.get(key)
    if held is None:
        held = Package.objects.filter(resident=user).exists()
        cache.set(key, held, HOLDER_SECONDS)
        remember(request, key, held)
    return held


@receiver(post_save, sender=Package, dispatch_uid="linli-package-holder")
def _package_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created:
        return
    key = holder_key(instance.resident_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
