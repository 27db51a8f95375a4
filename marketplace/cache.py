"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

``django.core.cache.backends.redis`` builds a new ``redis.Redis`` for every cache operation,
and each one fills its table of ~170 response callbacks: about 0.3 ms of CPU per get, several
times on every page (session, header, fragments). A client is thread-safe over its pool, so
one per pool is kept and reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class LinliRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
