"""Emptying our caches between (and within) tests."""

from django.conf import settings
from django.core.cache import cache

from armorpt.pagecache import forget_local_pages


def empty_cache():
    """Forget every cached value of ours: pages in this process and everything in the shared cache.

    On Redis only our own keys go: FLUSHDB would also drop the Celery queues that share the database.
    """
    forget_local_pages()
    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"):
            client.delete(key)
    else:
        cache.clear()
