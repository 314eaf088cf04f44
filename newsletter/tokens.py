"""The signed values in newsletter links. They name the subscriber's random key, never a database id.

A confirmation link expires after a week and works once (it carries the subscriber's current
nonce, which changes when it is used). An unsubscribe link never expires: it must still work
in an issue someone opens months later.
"""

import datetime as dt
import uuid

from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
CONFIRM_MAX_AGE = dt.timedelta(days=7)
# Longer than any real token: anything bigger is not ours, and is refused before any work.
MAX_TOKEN_LENGTH = 200


class Expired(Exception):
    """A genuine confirmation link, but older than CONFIRM_MAX_AGE."""


def confirm_token(subscriber):
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(f"{subscriber.key.hex}.{subscriber.confirmation_nonce}")


def read_confirm_token(token):
    """(key, nonce) from a confirmation token; None if it is not one of ours. Raises Expired."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise Expired from exc
    except signing.BadSignature:
        return None
    key, _, nonce = value.partition(".")
    return _uuid(key), nonce


def unsubscribe_token(subscriber):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscriber.key.hex)


def read_unsubscribe_token(token):
    """The subscriber key an unsubscribe token names, or None if it is not one of ours."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        return _uuid(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except signing.BadSignature:
        return None


def _uuid(value):
    try:
        return uuid.UUID(hex=value)
    except ValueError:
        return None
