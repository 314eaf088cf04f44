"""The content version, and content built once per version: query results, rendered Markdown.

Every save or delete of content bumps the version. Whole pages are cached under it too
(armorpt.pagecache, which puts each visitor's form tokens back in on the way out); what is
cached here makes the requests the page cache does not answer cheap (the first visit after
a change, logged-in staff). Old versions are never deleted one by one; they simply stop
being read and expire. We never call cache.clear(): Redis also holds the Celery queues.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

from armorpt.pagecache import forget_local_version

# ":2": the rows cached now carry their Spanish columns; a deploy never reads rows cached before.
VERSION_KEY = "content:version:2"
TIMEOUT = 6 * 60 * 60
_MISSING = object()


def _new_version():
    return uuid.uuid4().hex[:12]


def content_version():
    return cache.get_or_set(VERSION_KEY, _new_version, None)


def bump_content_version(**kwargs):
    _set_new_version()
    # A request that read the old rows before this transaction commits could store them
    # under the new version; bump again once the new rows are visible to everyone.
    transaction.on_commit(_set_new_version)


def _set_new_version():
    cache.set(VERSION_KEY, _new_version(), None)
    forget_local_version()


def cached(name, build):
    """The value build() returns, from cache while no content changed."""
    key = f"content:{content_version()}:{name}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
