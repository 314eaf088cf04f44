"""What the patient pages share: reading a request's specialist, reason and query string."""

from urllib.parse import urlencode

from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404

from appointments.models import Appointment
from clinics.models import Specialist

REASONS = dict(Appointment.Reason.choices)


def is_slug(value):
    # Checked before any query: PostgreSQL refuses a NUL byte in a string outright.
    return bool(value) and len(value) <= 50 and slug_re.match(value) is not None


def specialist_or_404(slug):
    if not slug:
        return None
    if not is_slug(slug):
        raise Http404("No such specialist.")
    return get_object_or_404(Specialist.objects.bookable().prefetch_related("credentials"), slug=slug)


def reason_asked(request):
    value = request.GET.get("reason", "")
    return value if value in REASONS else ""


def carry(request, specialist=None):
    """The query string step 1 hands on to step 2 (specialist, reason)."""
    params = {}
    if specialist:
        params["specialist"] = specialist.slug
    if reason := reason_asked(request):
        params["reason"] = reason
    return urlencode(params)


def query_with(request, **changes):
    params = {k: v for k, v in request.GET.items() if k in ("specialist", "reason", "from", "sort")}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)
