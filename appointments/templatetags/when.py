"""Dates and times for patients, in the page's language: {% load when %} then {{ start|day_label }}.

The template side of appointments.timefmt, so a template never writes an English-only format
such as |date:"l, F j" (which keeps the English order in Spanish: "martes, diciembre 1").
"""

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import pgettext

from appointments import timefmt

register = template.Library()


def _local(value):
    return timezone.localtime(value) if getattr(value, "tzinfo", None) is not None else value


@register.filter
def day_label(value):
    """'Tuesday, December 1' / 'martes, 1 de diciembre' (a date or a datetime)."""
    return timefmt.format_day(_local(value)) if value else ""


@register.filter
def time_label(value):
    """'10:30 AM' / '10:30'."""
    return timefmt.format_time(_local(value)) if value else ""


@register.filter
def when_label(value):
    """'Tuesday, December 1, 2026 at 10:30 AM EST' / 'martes, 1 de diciembre de 2026, 10:30 EST'."""
    return timefmt.format_when(_local(value)) if value else ""


@register.filter
def long_date(value):
    """'December 1, 2026' / '1 de diciembre de 2026' (a page's "updated" date)."""
    return dateformat.format(value, pgettext("date with year; Django date format", "F j, Y")) if value else ""


@register.filter
def short_day(value):
    """'Dec 1' / '1 dic' (a day in a compact list)."""
    return dateformat.format(value, pgettext("short date; Django date format", "M j")) if value else ""


@register.filter
def weekday_short(value):
    """'Tue' / 'mar'."""
    return dateformat.format(value, "D") if value else ""
