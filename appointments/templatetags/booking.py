from django import template
from django.utils import timezone

from appointments import availability
from appointments.timefmt import format_short

register = template.Library()


@register.simple_tag
def next_openings():
    """Clinic slug -> the next free online start, formatted for patients ("Tue, Nov 24 at 9:00 AM EST")."""
    starts = availability.cached_next_openings(now=timezone.now())
    return {slug: format_short(start) for slug, start in starts.items() if start}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
