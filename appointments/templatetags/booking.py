from django import template

register = template.Library()


@register.simple_tag
def next_openings():
    """Clinic slug -> the next free start time, formatted for patients (filled in by the booking work)."""
    return {}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
