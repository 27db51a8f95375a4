"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

``django.core.cache.backends.redis`` builds a new ``redis.Redis`` for every cache operation,
and each one fills its table of ~170 response callbacks: about 0.3 ms of CPU per get, several
times on every page (session, header, fragments). A client is thread-safe over its pool, so
one per pool is kept and reused.
"""

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        """The pool's client, built on first use and then reused."""
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class LinliRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with ``ReusedClientRedisCacheClient``."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


def bump_version(key: str) -> None:
    """Move on a version that keys cached pages and fragments: now, and again when the current
    transaction commits. A page rendered in between still reads the old data (the change is
    not committed yet); without the second move it would be cached under the new version and
    outlive the change."""
    _incr(key)
    transaction.on_commit(lambda: _incr(key))


def bump_versions(keys: list[str]) -> None:
    """``bump_version`` for several keys at once (the calendars of the workers a change
    touches)."""
    for key in keys:
        _incr(key)
    keys = list(keys)
    transaction.on_commit(lambda: [_incr(key) for key in keys])


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)
