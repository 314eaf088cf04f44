"""Whole public pages from cache, with the per-visitor bits put back on the way out.

Every page carries two values that must not be shared between visitors: the CSRF token of
the footer's newsletter form and the signed "form shown at" time of the bot trap. We store
the rendered page cut at those values, and put fresh ones in on each hit: a cache read and a
join of bytes instead of queries and template rendering.

Only anonymous GET/HEAD requests with no pending messages are cached; staff previews and
anything else pass straight through to the view.

Each process also keeps the pages it served in memory, and asks the shared cache for the
content version at most every VERSION_CHECK_SECONDS: a hit then costs no network round trip.
A save shows on every server within that time (at once on the one that handled it).
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse

from armorpt.csrf import token_for
from armorpt.forms import signed_now

# The per-visitor values, and what fills each in on a hit.
PER_VISITOR = re.compile(r'name="(csrfmiddlewaretoken|rendered_at)" value="[^"]*"')
FILL = {"csrfmiddlewaretoken": token_for, "rendered_at": lambda request: signed_now()}
VERSION_CHECK_SECONDS = 2
LOCAL_PAGES = 200


class _Local:
    """This process's copy of recent pages, and of the content version."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pages = OrderedDict()  # key -> (expires, frozen)
        self.version = (None, 0.0)  # (value, checked at)

    def current_version(self, version):
        value, checked = self.version
        if value is None or time.monotonic() - checked > VERSION_CHECK_SECONDS:
            value = version()
            self.version = (value, time.monotonic())
        return value

    def get(self, key):
        with self.lock:
            expires, frozen = self.pages.get(key, (0, None))
            return frozen if expires > time.monotonic() else None

    def put(self, key, frozen, timeout):
        with self.lock:
            self.pages[key] = (time.monotonic() + timeout, frozen)
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_PAGES:
                self.pages.popitem(last=False)

    def forget_version(self):
        self.version = (None, 0.0)


_local = _Local()


def forget_local_version(**kwargs):
    """Content changed in this process: look the version up again on the next request."""
    _local.forget_version()


def forget_local_pages():
    """Drop this process's pages and version (tests start each case with empty caches)."""
    with _local.lock:
        _local.pages.clear()
    _local.forget_version()


def cache_public_page(version=None, timeout=60, vary=None):
    """Cache a view's whole page for `timeout` seconds, under `version()` (bump it to drop every page).

    `vary(request, *args, **kwargs)`, asked on every request (not just every VERSION_CHECK_SECONDS),
    names what else the page depends on: a page whose data changes often keys on its own versions.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            shared = _local.current_version(version) if version else ""
            extra = vary(request, *args, **kwargs) if vary else ""
            path = f"{shared}:{extra}:{request.get_full_path()}"
            # "page2": the stored shape changed, so a deploy never reads the old one from a shared cache.
            key = "page2:" + hashlib.sha256(path.encode()).hexdigest()
            frozen = _local.get(key)
            if frozen is None:
                frozen = cache.get(key)
                if frozen is not None:
                    _local.put(key, frozen, timeout)
            if frozen is not None:
                return _thaw(request, frozen)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                frozen = _freeze(response)
                cache.set(key, frozen, timeout)
                _local.put(key, frozen, timeout)
            return response

        return wrapped

    return decorator


def _cacheable(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if not request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}:
        # No session and no messages cookie: nobody is signed in and nothing waits to be shown.
        # Most hits end here, without loading either (which costs more than serving the page).
        return True
    messages = getattr(request, "_messages", None)
    return not request.user.is_authenticated and not (messages is not None and len(messages))


def _freeze(response):
    """The page as bytes cut at each per-visitor value: [text, name, text, name, ..., text]."""
    html = response.content.decode(response.charset)
    pieces, at = [], 0
    for match in PER_VISITOR.finditer(html):
        name = match.group(1)
        pieces += [f'{html[at : match.start()]}name="{name}" value="'.encode(response.charset), name]
        at = match.end() - 1  # keep the closing quote in the next text
    pieces.append(html[at:].encode(response.charset))
    return {"pieces": pieces, "content_type": response["Content-Type"]}


def _thaw(request, frozen):
    pieces = frozen["pieces"]
    filled = [piece if i % 2 == 0 else FILL[piece](request).encode() for i, piece in enumerate(pieces)]
    return HttpResponse(b"".join(filled), content_type=frozen["content_type"])
