"""A Redis cache that treats an unreachable Redis as a cache miss.

Django's RedisCache raises when Redis is down, which would turn a cached page into
a 500. Pages can always be rebuilt from the database, so we carry on, and say so once per
outage (armorpt.outages), not once per call.
"""

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from armorpt.outages import CACHE

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _forgiving(method_name, fallback):
    def method(self, *args, **kwargs):
        try:
            result = getattr(super(ForgivingRedisCache, self), method_name)(*args, **kwargs)
        except UNREACHABLE as exc:
            CACHE.failed(exc)
            if isinstance(fallback, type) and issubclass(fallback, Exception):
                raise fallback("cache unavailable") from exc
            return fallback(args, kwargs) if callable(fallback) else fallback
        CACHE.answered()
        return result

    method.__name__ = method_name
    return method


def _default_argument(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class ForgivingRedisCache(RedisCache):
    get = _forgiving("get", _default_argument)
    get_many = _forgiving("get_many", {})
    set = _forgiving("set", None)
    set_many = _forgiving("set_many", [])
    add = _forgiving("add", False)
    touch = _forgiving("touch", False)
    delete = _forgiving("delete", False)
    delete_many = _forgiving("delete_many", None)
    has_key = _forgiving("has_key", False)
    # Callers of incr (rate limits) already handle a missing key as ValueError.
    incr = _forgiving("incr", ValueError)
    clear = _forgiving("clear", None)
