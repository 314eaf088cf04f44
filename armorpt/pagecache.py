"""Whole public pages from cache, with the per-visitor bits put back on the way out.

Every page carries two values that must not be shared between visitors: the CSRF token of
the footer's newsletter form and the signed "form shown at" time of the bot trap. We store
the rendered page cut at those values, and put fresh ones in on each hit: a cache read and a
join of bytes instead of queries and template rendering.

Only anonymous GET/HEAD requests with no pending messages are cached; staff previews and
anything else pass straight through to the view.

Two doors lead to the same store. Most visitors carry no session cookie: `PageCacheMiddleware`,
just after SecurityMiddleware, serves them a hit with the headers the page was first sent with
(CSP, frame, permissions, Vary) and their own CSRF cookie, without going through the session,
auth, messages, CSP, axes and rate-limit layers, which have nothing to do for such a request.
A visitor with a session (staff, or someone with a message waiting) goes the long way, and the
view's decorator answers from the same cache when they are anonymous and have nothing pending.

Each process also keeps the pages it served in memory, and asks the shared cache for the
content version at most every VERSION_CHECK_SECONDS: a hit then costs no network round trip.
A save shows on every server within that time (at once on the one that handled it).
"""

import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, get_resolver
from django.utils import translation

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
    """Drop this process's pages, version and looked-up paths (tests start each case with empty caches)."""
    with _local.lock:
        _local.pages.clear()
    _local.forget_version()
    _resolved.clear()


@dataclass(frozen=True)
class Policy:
    """How one view's pages are cached: see cache_public_page."""

    version: object
    timeout: int
    vary: object

    def key(self, request, args, kwargs):
        shared = _local.current_version(self.version) if self.version else ""
        extra = self.vary(request, *args, **kwargs) if self.vary else ""
        path = f"{shared}:{extra}:{request.scheme}:{request.get_full_path()}"
        # "page3": the stored shape changed, so a deploy never reads the old one from a shared cache.
        return "page3:" + hashlib.sha256(path.encode()).hexdigest()


def cache_public_page(version=None, timeout=60, vary=None):
    """Cache a view's whole page for `timeout` seconds, under `version()` (bump it to drop every page).

    `vary(request, *args, **kwargs)`, asked on every request (not just every VERSION_CHECK_SECONDS),
    names what else the page depends on: a page whose data changes often keys on its own versions.
    """
    policy = Policy(version, timeout, vary)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if getattr(request, "_page_cache_door", False) or not _cacheable(request):
                return view(request, *args, **kwargs)  # the middleware has this one, or nobody should
            key = policy.key(request, args, kwargs)
            frozen = _lookup(key, timeout)
            if frozen is not None:
                return _thaw(request, frozen)
            response = view(request, *args, **kwargs)
            if _storable(response):
                _store(key, _freeze(response), timeout)
            return response

        wrapped.page_cache = policy
        return wrapped

    return decorator


class PageCacheMiddleware:
    """The short way for visitors with no session: a hit answered right after SecurityMiddleware.

    A miss goes the whole way through and is stored on its way out with its final headers, so a
    hit is sent with the same Content-Security-Policy, X-Frame-Options, Permissions-Policy and
    Vary as the page was. SecurityMiddleware, outside, still redirects plain HTTP and adds its
    own headers; CsrfViewMiddleware's own methods read the visitor's CSRF cookie and set a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        found = _at_the_door(request)
        if found is None:
            return self.get_response(request)
        policy, args, kwargs = found
        request._page_cache_door = True
        key = policy.key(request, args, kwargs)
        frozen = _lookup(key, policy.timeout)
        if frozen is not None and frozen.get("headers") is not None:
            self.csrf.process_request(request)  # the visitor's own secret, if they have one
            response = _thaw(request, frozen)
            return self.csrf.process_response(request, response)
        response = self.get_response(request)
        if _storable(response):
            _store(key, _freeze(response, with_headers=True), policy.timeout)
        return response


# Paths already looked up, so a hit does not walk the URL patterns: bounded, since anyone may
# ask for any path.
_RESOLVED_PATHS = 2000
_resolved = OrderedDict()


def _at_the_door(request):
    """(policy, args, kwargs) when the middleware may answer this request from cache, else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    if _has_session_or_messages(request):
        return None  # maybe signed in, or a message waits: the long way, decided by the view
    path = request.path_info
    found = _resolved.get(path, False)
    if found is False:
        try:
            # The Spanish pages' /es/ prefix only matches while Spanish is active, as in LocaleMiddleware.
            with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
                match = get_resolver().resolve(path)
        except Resolver404:
            found = None
        else:
            policy = getattr(match.func, "page_cache", None)
            found = (policy, match.args, match.kwargs) if policy else None
        _resolved[path] = found
        while len(_resolved) > _RESOLVED_PATHS:
            _resolved.popitem(last=False)
    return found


def _lookup(key, timeout):
    frozen = _local.get(key)
    if frozen is None:
        frozen = cache.get(key)
        if frozen is not None:
            _local.put(key, frozen, timeout)
    return frozen


def _store(key, frozen, timeout):
    cache.set(key, frozen, timeout)
    _local.put(key, frozen, timeout)


def _has_session_or_messages(request):
    return bool(request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name})


def _storable(response):
    return response.status_code == 200 and not response.streaming


def _cacheable(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if not _has_session_or_messages(request):
        # No session and no messages cookie: nobody is signed in and nothing waits to be shown.
        # Most hits end here, without loading either (which costs more than serving the page).
        return True
    messages = getattr(request, "_messages", None)
    return not request.user.is_authenticated and not (messages is not None and len(messages))


# Sent again with each hit; the rest belongs to the one response (length, cookies).
_NOT_KEPT = {"content-length", "set-cookie", "date"}


def _freeze(response, *, with_headers=False):
    """The page as bytes cut at each per-visitor value: [text, name, text, name, ..., text], and,
    from the middleware, the headers every visitor gets with it."""
    html = response.content.decode(response.charset)
    pieces, at = [], 0
    for match in PER_VISITOR.finditer(html):
        name = match.group(1)
        pieces += [f'{html[at : match.start()]}name="{name}" value="'.encode(response.charset), name]
        at = match.end() - 1  # keep the closing quote in the next text
    pieces.append(html[at:].encode(response.charset))
    headers = None
    if with_headers:
        headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT]
    return {"pieces": pieces, "content_type": response["Content-Type"], "headers": headers}


def _thaw(request, frozen):
    pieces = frozen["pieces"]
    filled = [piece if i % 2 == 0 else FILL[piece](request).encode() for i, piece in enumerate(pieces)]
    response = HttpResponse(b"".join(filled), content_type=frozen["content_type"])
    for name, value in frozen.get("headers") or ():
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    return response
