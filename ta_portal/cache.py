"""The shared cache: Django's Redis backend, keeping one Redis client per connection pool.

Django's backend builds a new ``redis.Redis`` for every operation, and redis-py fills a table of
its response callbacks each time: that costs more than the round trip itself on loopback, and the
API's busiest reads make two. A client over a pool may be shared by threads (each command takes a
connection from the pool), and the pool opens new connections after a fork (redis-py checks the
process id), so one client per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
