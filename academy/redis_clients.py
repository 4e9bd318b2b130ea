"""One `redis.Redis` per connection pool for the cache and for Celery's publishing, not one per call.

Django's Redis cache client (django.core.cache.backends.redis.RedisCacheClient.get_client) and kombu's Redis
transport (Channel.conn_or_acquire, used for every message a request publishes) both make a new `redis.Redis`
for every call. With redis-py 8 that is ~70 µs of Python each time (the client copies its ~170 response
callbacks into a new case-insensitive dictionary), on every cache read of every page and on every task handed
over. A `redis.Redis` holds no connection of its own, only its pool (which hands out connections per call and
starts afresh in a forked child) and its settings, and redis-py documents it as safe to share between threads,
so one per pool serves every call alike.

The cache's `incr` (academy.versions raises a version with it on every booking, cancellation and change of an
event) asks in one round trip, by a script Redis runs atomically, what Django's asks in two (EXISTS, then INCRBY):
the same answer, a ValueError for a key that is not there, and no window in which the key expires between them.

Settings: `CACHES["default"]["BACKEND"] = "academy.redis_clients.RedisCache"` and
`CELERY_BROKER_TRANSPORT = "academy.redis_clients:Transport"` (with a redis:// broker URL).
"""

from django.core.cache.backends import redis as django_redis
from kombu.transport import redis as kombu_redis

# INCRBY a key that exists; nil for one that does not (Django's incr raises ValueError then, and so does ours).
_INCR_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._scripts.get(client)
        if script is None:  # EVALSHA, and EVAL once where Redis does not know the script (a restart)
            script = self._scripts[client] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:  # two threads at once may both make one: either serves
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


class Channel(kombu_redis.Channel):
    _kept_client = None

    def _create_client(self, asynchronous=False):
        if asynchronous:  # the worker's consuming client is made once per channel already (Channel.client)
            return super()._create_client(asynchronous=True)
        kept = self._kept_client
        if kept is None or kept.connection_pool is not self.pool:  # a closed channel drops its pool
            kept = self._kept_client = super()._create_client()
        return kept


class Transport(kombu_redis.Transport):
    Channel = Channel
