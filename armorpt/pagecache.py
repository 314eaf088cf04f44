"""Whole public pages from cache, with the per-visitor bits put back on the way out.

Every page carries two values that must not be shared between visitors: the CSRF token of
the footer's newsletter form and the signed "form shown at" time of the bot trap. We store
the rendered page with both replaced by placeholders, and fill in fresh values on each hit:
a cache read and two string replacements instead of queries and template rendering.

Only anonymous GET/HEAD requests with no pending messages are cached; staff previews and
anything else pass straight through to the view.
"""

import hashlib
import re
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from armorpt.forms import signed_now

CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
RENDERED_AT_VALUE = re.compile(r'(name="rendered_at" value=")([^"]*)(")')
CSRF_PLACEHOLDER = "__armorpt_csrf_token__"
RENDERED_AT_PLACEHOLDER = "__armorpt_rendered_at__"


def cache_public_page(version, timeout=60):
    """Cache a view's whole page for `timeout` seconds, under `version()` (bump it to drop every page)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = "page:" + hashlib.sha256(f"{version()}:{request.get_full_path()}".encode()).hexdigest()
            frozen = cache.get(key)
            if frozen is not None:
                return _thaw(request, frozen)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                cache.set(key, _freeze(response), timeout)
            return response

        return wrapped

    return decorator


def _cacheable(request):
    if request.method not in ("GET", "HEAD"):
        return False
    messages = getattr(request, "_messages", None)
    return not request.user.is_authenticated and not (messages is not None and len(messages))


def _freeze(response):
    html = response.content.decode(response.charset)
    html = CSRF_VALUE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<3>", html)
    html = RENDERED_AT_VALUE.sub(rf"\g<1>{RENDERED_AT_PLACEHOLDER}\g<3>", html)
    return {"html": html, "content_type": response["Content-Type"]}


def _thaw(request, frozen):
    html = frozen["html"]
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if RENDERED_AT_PLACEHOLDER in html:
        html = html.replace(RENDERED_AT_PLACEHOLDER, signed_now())
    return HttpResponse(html, content_type=frozen["content_type"])
