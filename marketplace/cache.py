"""Cache helpers. The cache itself is django-redis (``CACHES`` in settings), which keeps one Redis
client per server over its connection pool: Django's own Redis backend built a new client,
and its table of response callbacks, for every operation.
"""

from django.core.cache import cache
from django.db import transaction


def bump_version(key: str) -> None:
    """Move on a version that keys cached pages and fragments: now, and again when the current
    transaction commits. A page rendered in between still reads the old data (the change is
    not committed yet); without the second move it would be cached under the new version and
    outlive the change."""
    _incr(key)
    transaction.on_commit(lambda: _incr(key))


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)
