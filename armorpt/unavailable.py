"""A database that is starting, stopping or refusing connections answers 503 "try again", never 500.

Django turns an exception from any layer (a middleware, the view, a template, the response phase)
into a response by calling `handler500` inside its `except` block; each middleware's own layer does
so before an outer middleware could see the exception (django.core.handlers.exception). So the
handler below, set in armorpt.urls, is the one place that sees them all: it reads the exception from
`sys.exc_info()`. With DEBUG on, Django shows its technical page instead and never calls it.

The operator reads one warning when the database stops answering and one when it answers again
(armorpt.outages), not a traceback per request; each 503 is one INFO line.

The 503 page must render with the database down. It is a standalone template rendered without the
request, so no context processor runs, and it takes the clinics' phone numbers from the cache that
the footer fills (clinics.selectors), never from the database. Both pages are in the language of
the address asked for (/es/…), whichever layer failed.
"""

import logging
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.db.backends.signals import connection_created
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views import defaults

from armorpt.i18n import without_prefix
from armorpt.outages import Outage
from clinics.selectors import FOOTER_CACHE_KEY

logger = logging.getLogger(__name__)

# Long enough for PostgreSQL to restart, short enough that a person waiting is not put off.
RETRY_AFTER_SECONDS = 5
API_MESSAGE = gettext_lazy(
    "We could not reach our booking system for a moment. Nothing was changed. Please try again in a few seconds."
)
DATABASE = Outage("database", "pages answer 503 'try again in a few seconds'")


def _answered(sender, connection, **kwargs):
    DATABASE.answered()


# A new connection is the database answering again. Connected when this module is imported: by
# Django's checks, or at the latest by the first error, when Django looks up handler500.
connection_created.connect(_answered, dispatch_uid="armorpt.unavailable")


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc`, or an error it was raised from, says the database could not answer just now."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    """handler500: the 503 page for a database that is away, the site's 500 page for anything else."""
    exc = sys.exc_info()[1]
    # The error may come from a layer before the one that sets the language: the address says it.
    with translation.override(translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE):
        if not database_unavailable(exc):
            return defaults.server_error(request)
        DATABASE.failed(exc)
        logger.info("Database unavailable, answered 503: %s %r", request.method, request.path)
        in_api = without_prefix(request.path_info).startswith("/api/")
        response = _api_response() if in_api else _page_response(request)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Logged above; Django would log it again as an error with the traceback, for every request.
    response._has_been_logged = True
    return response


def _api_response():
    return JsonResponse({"error": API_MESSAGE, "retry_after": RETRY_AFTER_SECONDS}, status=503)


def _page_response(request):
    try:
        html = loader.render_to_string("503.html", _context(request))  # no request: no context processor runs
    except Exception:
        # A 503 must go out whatever else is broken: the alternative is the server's bare 500.
        logger.exception("The 503 page could not be rendered")
        return HttpResponse(str(API_MESSAGE), status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse(html, status=503)


def _context(request):
    clinics = _clinics_from_cache()
    slug = request.resolver_match.kwargs.get("clinic_slug") if request.resolver_match else None
    own = _clinic_url(slug)
    # The clinic being booked comes first, as the big button.
    clinics.sort(key=lambda clinic: clinic["url"] != own)
    return {
        "PRACTICE": settings.PRACTICE,
        "clinics": clinics,
        "is_post": request.method == "POST",
        "posted": _posted_fields(request) if request.method == "POST" else [],
        "retry_url": _same_page(request),
        "retry_after": RETRY_AFTER_SECONDS,
    }


def _clinics_from_cache():
    """The footer's list of clinics with their phones, if a page shown recently put it in the cache."""
    try:
        return list(cache.get(FOOTER_CACHE_KEY) or [])
    except Exception:
        logger.warning("No clinic phone numbers for the 503 page: the cache did not answer")
        return []


def _clinic_url(slug):
    try:
        return reverse("location_detail", args=[slug]) if slug else None
    except NoReverseMatch:
        return None


def _posted_fields(request):
    """Every (name, value) the form sent, repeated names too, so "Try again" sends the same form."""
    try:
        return [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    except Exception:
        # The body may have been read as a stream already; then there is nothing to offer again.
        return []


def _same_page(request):
    """This page's address, for "Try again"; never a link to another site (`//host/` is one)."""
    url = request.get_full_path()
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) else "/"
