from django import template
from django.core.cache import cache
from django.utils import timezone

from appointments import availability
from appointments.timefmt import format_short
from clinics.models import Clinic

register = template.Library()


@register.simple_tag
def next_openings():
    """Clinic slug -> the next free online start, formatted for patients ("Tue, Nov 24 at 9:00 AM EST")."""
    openings = cache.get(availability.OPENINGS_CACHE_KEY)
    if openings is None:
        clinics = list(Clinic.objects.active())
        found = availability.next_openings(clinics, now=timezone.now())
        openings = {
            clinic.slug: format_short(found[clinic.pk].start.astimezone(clinic.tz))
            for clinic in clinics
            if found.get(clinic.pk)
        }
        cache.set(availability.OPENINGS_CACHE_KEY, openings, availability.OPENINGS_CACHE_SECONDS)
    return openings


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
