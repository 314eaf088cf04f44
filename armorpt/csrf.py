"""A CSRF token for a cached page, drawn from one read of the OS's random source.

Django's get_token() builds a first-time visitor's secret and the per-page mask from 64 calls
to secrets.choice(), each its own os.urandom() system call. On a page served from cache that was
the largest single cost of the hit, and most visitors to a content page arrive without cookies.

token_for() makes the same thing from one random read: a 32-character secret from Django's
alphabet, left where CsrfViewMiddleware looks for it (so the middleware sets the cookie and checks
the post exactly as usual), and the secret masked with a fresh 32-character mask, so no two pages
carry the same token (Django's defence against BREACH). A returning visitor keeps their secret.
tests/armorpt/test_pagecache.py posts with such a token through the real middleware, so a change
in Django's format shows there first.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_CHARS = CSRF_ALLOWED_CHARS
_POSITION = {char: i for i, char in enumerate(_CHARS)}
# Bytes at or above this would favour the first characters of the alphabet: they are skipped.
_UNBIASED_BELOW = 256 - 256 % len(_CHARS)


def token_for(request):
    """The masked CSRF token for this response; a new secret if the visitor has none."""
    fresh = _random_indexes(2 * CSRF_SECRET_LENGTH)
    secret = request.META.get("CSRF_COOKIE") or "".join(_CHARS[i] for i in fresh[CSRF_SECRET_LENGTH:])
    request.META.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    mask = fresh[:CSRF_SECRET_LENGTH]
    cipher = [_CHARS[(_POSITION[s] + m) % len(_CHARS)] for s, m in zip(secret, mask, strict=True)]
    return "".join([_CHARS[m] for m in mask] + cipher)


def _random_indexes(count):
    """`count` uniformly random positions in the alphabet, from as few random reads as possible."""
    indexes = []
    while len(indexes) < count:
        indexes += [byte % len(_CHARS) for byte in secrets.token_bytes(count + 16) if byte < _UNBIASED_BELOW]
    return indexes[:count]
