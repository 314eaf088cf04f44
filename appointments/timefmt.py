"""How times read to patients: the clinic's local time, with the zone named, in the active language.

English: "Tuesday, November 24" and "9:30 AM". Spanish: "martes, 24 de noviembre" and "9:30" (the
24-hour clock, as Spanish speakers write it). The patterns are gettext strings (Django's date
format letters), so each language writes a date in its own order; the day and month names come
from Django's own catalogs. The admin stays English: it never activates another language.
"""

from django.utils import dateformat
from django.utils.translation import gettext, pgettext


def format_time(local):
    """'9:30 AM' / '9:30'"""
    return dateformat.format(local, pgettext("time of day; Django date format", "g:i A"))


def format_day(local):
    """'Tuesday, November 24' / 'martes, 24 de noviembre'"""
    return dateformat.format(local, pgettext("weekday and date; Django date format", "l, F j"))


def format_when(local):
    """'Tuesday, November 24, 2026 at 9:30 AM EST' / 'martes, 24 de noviembre de 2026, 9:30 EST'"""
    return gettext("%(day)s, %(year)s at %(time)s %(zone)s") % {
        "day": format_day(local),
        "year": local.year,
        "time": format_time(local),
        "zone": local.tzname(),
    }


def format_short(local):
    """'Tue, Nov 24 at 9:30 AM EST' / 'mar, 24 nov, 9:30 EST', for cards and lists."""
    day = dateformat.format(local, pgettext("short weekday and date; Django date format", "D, M j"))
    return gettext("%(day)s at %(time)s %(zone)s") % {"day": day, "time": format_time(local), "zone": local.tzname()}


def us_zone_names():
    # A function, not a constant: the names are translated in the language active when asked.
    eastern, central = pgettext("time zone", "Eastern"), pgettext("time zone", "Central")
    mountain, pacific = pgettext("time zone", "Mountain"), pgettext("time zone", "Pacific")
    return {
        "America/Detroit": eastern,
        "America/New_York": eastern,
        "America/Indiana/Indianapolis": eastern,
        "America/Chicago": central,
        "America/Denver": mountain,
        "America/Phoenix": mountain,
        "America/Los_Angeles": pacific,
    }


US_ZONES = frozenset(us_zone_names())


def zone_label(zone_name, local):
    """'Eastern time (EST)' / 'hora del Este (EST)'; the bare abbreviation where we have no friendlier name."""
    if zone_name not in US_ZONES:
        return local.tzname()
    return gettext("%(zone)s time (%(abbreviation)s)") % {
        "zone": us_zone_names()[zone_name],
        "abbreviation": local.tzname(),
    }
