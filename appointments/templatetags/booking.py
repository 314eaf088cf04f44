from django import template
from django.utils import timezone

from appointments import slotcache
from appointments.timefmt import format_short

register = template.Library()


@register.simple_tag
def next_openings(shown):
    """Clinic slug -> the next free online start, formatted for patients ("Tue, Nov 24 at 9:00 AM EST").

    Only for the clinics the page shows (one clinic, a list, or the clinic lists' (clinic, today)
    pairs): each costs a cache read, so the page's cost follows what it shows.
    """
    if not isinstance(shown, list | tuple):
        shown = [shown]
    clinics = [item[0] if isinstance(item, tuple) else item for item in shown]
    starts = slotcache.next_openings(clinics, now=timezone.now())
    return {clinic.slug: format_short(starts[clinic.pk]) for clinic in clinics if starts[clinic.pk]}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
