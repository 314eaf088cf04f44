"""Staff sessions end after a working day without a request, and a shared desk computer locks in one click.

Django keeps a session for two weeks; a front-desk computer left signed in overnight would show
patients' details to whoever sits down next. `StaffSessionIdleMiddleware` signs a staff user out
once STAFF_SESSION_IDLE_MINUTES have passed since their last request, and sets the session's own
expiry to the same span (so the cookie and the stored session go too). "Lock" in the admin header
signs out at once and opens the sign-in page with the username filled in.

Visitors without a session cookie (patients) are never looked at: the page cache answers them
before this middleware runs, and a request without the cookie returns here at once.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

LAST_SEEN = "staff_last_seen"
LOCKED_USERNAME = "locked_username"
# The session is written at most this often on activity: a request a second would otherwise be a
# database write a second. The idle span is counted from the last write, so it may end this much early.
TOUCH_SECONDS = 60


def idle_seconds():
    return settings.STAFF_SESSION_IDLE_MINUTES * 60


class StaffSessionIdleMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware: ends an idle staff session, keeps a busy one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return
        now = int(timezone.now().timestamp())
        last_seen = request.session.get(LAST_SEEN)
        if last_seen is not None and now - last_seen >= idle_seconds():
            logout(request)  # the request goes on as anonymous: an admin page sends it to sign in
            messages.info(request, f"You were signed out after {_span()} without activity. Sign in to carry on.")
            return
        if last_seen is None or now - last_seen >= TOUCH_SECONDS:
            _touch(request.session, now)


def start_staff_session(sender, request, user, **kwargs):
    """On signing in (user_logged_in): the idle clock starts, with the login's own session write."""
    if user.is_staff and hasattr(request, "session"):
        request.session.pop(LOCKED_USERNAME, None)  # whoever locked this screen, it is open again
        _touch(request.session, int(timezone.now().timestamp()))


def _touch(session, now):
    session[LAST_SEEN] = now
    session.set_expiry(idle_seconds())


def _span():
    minutes = settings.STAFF_SESSION_IDLE_MINUTES
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@require_POST
def lock(request):
    """Sign out now; the sign-in page opens with the username filled in and leads back to `next`."""
    username = request.user.get_username() if request.user.is_authenticated else ""
    back = request.POST.get("next", "")
    logout(request)
    if username:
        request.session[LOCKED_USERNAME] = username
    messages.info(request, "Locked. Sign in to carry on.")
    query = {}
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        query["next"] = back
    login = reverse("admin:login")
    return HttpResponseRedirect(f"{login}?{urlencode(query)}" if query else login)


class LockedLoginForm(AdminAuthenticationForm):
    """The admin sign-in form; after "Lock", the username is there and the cursor is in the password."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = request.session.get(LOCKED_USERNAME) if request is not None else None
        if username and not self.is_bound:
            self.initial.setdefault("username", username)
            self.fields["username"].widget.attrs.pop("autofocus", None)
            self.fields["password"].widget.attrs["autofocus"] = True
