"""JSON: the free times at one clinic on one day."""

import datetime as dt

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from appointments import availability, slotcache
from appointments.models import BookingRules
from appointments.views.common import is_slug
from armorpt.pagecache import cache_public_page
from armorpt.ratelimits import limited
from clinics.models import Clinic, Specialist


def _api_version(request):
    clinic = request.GET.get("clinic", "")
    # Only a real-looking slug names a version key; anything else answers an error, never cached.
    return slotcache.page_version(request, clinic) if is_slug(clinic) else "no-clinic"


# The limit guards the computation: an answer from cache costs a lookup, and is not counted.
@require_GET
@cache_public_page(vary=_api_version)
@limited("slots_api", method="GET")
def api_slots(request):
    clinic_slug, day_value = request.GET.get("clinic", ""), request.GET.get("date", "")
    if not clinic_slug or not day_value:
        return _api_error("Give both clinic=<slug> and date=YYYY-MM-DD.", 400)
    try:
        day = dt.date.fromisoformat(day_value)
    except ValueError:
        return _api_error("date must look like 2026-11-24.", 400)
    clinic = Clinic.objects.active().filter(slug=clinic_slug).first() if is_slug(clinic_slug) else None
    if clinic is None:
        return _api_error(f"No clinic called “{clinic_slug[:60]}”.", 404)
    specialist = None
    if slug := request.GET.get("specialist"):
        specialist = Specialist.objects.bookable().filter(slug=slug).first() if is_slug(slug) else None
        if specialist is None:
            return _api_error(f"No specialist called “{slug[:60]}”.", 404)
    return JsonResponse(_day_slots(clinic, specialist, day))


def _day_slots(clinic, specialist, day):
    now, rules = timezone.now(), BookingRules.current()
    horizon_end = availability.local_today(clinic, now) + dt.timedelta(days=rules.horizon_days)
    slots = []
    if availability.local_today(clinic, now) <= day <= horizon_end and (visit := availability.online_type()):
        slots, _ = slotcache.free_days(
            clinic, now=now, first_day=day, days=1, appointment_type=visit, specialist=specialist, rules=rules
        )
    people = {s.pk: s for s in Specialist.objects.filter(pk__in={i for slot in slots for i in slot.specialist_ids})}
    return {
        "clinic": clinic.slug,
        "date": day.isoformat(),
        "timezone": clinic.timezone,
        "slots": [
            {
                "start": slot.start.astimezone(clinic.tz).isoformat(),
                "specialists": [{"slug": people[i].slug, "name": people[i].name} for i in slot.specialist_ids],
            }
            for slot in slots
        ],
    }


def _api_error(message, status):
    return JsonResponse({"error": message}, status=status)
