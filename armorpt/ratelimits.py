"""Rate limits per client address on the forms bots like (django-ratelimit, on the cache)."""

from django.conf import settings
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit

__all__ = ["ALL", "limited"]


def limited(scope, method="POST"):
    """Refuse (429, nothing saved) a client that sends more than RATE_LIMITS[scope] requests."""

    def rate(group, request):
        return settings.RATE_LIMITS[scope]

    return ratelimit(group=f"armorpt:{scope}", key="ip", rate=rate, method=method, block=True)
