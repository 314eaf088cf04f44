"""The one thing the back-pain self-check hands on to booking: "no warning signs".

A patient who answers no to every warning sign of the self-check (selfcheck.rules) gets a
signed cookie saying only that. When the same browser then books with the reason "Back pain",
the visit records "self-check: no warning signs" for the front desk, and the cookie goes.

A cookie, not a value in the address: the outcome stays out of URLs, server logs and the
cached booking pages, and step 2 stays one cached page for everyone. Signed, so it cannot be
made up; and all a replayed one can do is add that one note to a back-pain visit. Any other
answer to the self-check deletes it.
"""

from django.conf import settings

COOKIE = "selfcheck"
SALT = "appointments.screening.no-warning-signs"
VALUE = "no-warning-signs"
MAX_AGE_SECONDS = 2 * 60 * 60  # long enough to choose a time, short enough for a shared computer


def mark_no_warning_signs(response) -> None:
    response.set_signed_cookie(
        COOKIE,
        VALUE,
        salt=SALT,
        max_age=MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget(response) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")


def came_through_with_no_warning_signs(request) -> bool:
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE_SECONDS)
    return value == VALUE
