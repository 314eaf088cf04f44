"""How times read to patients: the clinic's local time, with the zone named."""


def format_time(local):
    """'9:30 AM'"""
    return f"{local.strftime('%I').lstrip('0')}:{local:%M %p}"


def format_day(local):
    """'Tuesday, November 24'"""
    return f"{local:%A, %B} {local.day}"


def format_when(local):
    """'Tuesday, November 24, 2026 at 9:30 AM EST'"""
    return f"{format_day(local)}, {local.year} at {format_time(local)} {local.tzname()}"


def format_short(local):
    """'Tue, Nov 24 at 9:30 AM EST', for cards and lists."""
    return f"{local:%a, %b} {local.day} at {format_time(local)} {local.tzname()}"


US_ZONE_NAMES = {
    "America/Detroit": "Eastern",
    "America/New_York": "Eastern",
    "America/Indiana/Indianapolis": "Eastern",
    "America/Chicago": "Central",
    "America/Denver": "Mountain",
    "America/Phoenix": "Mountain",
    "America/Los_Angeles": "Pacific",
}


def zone_label(zone_name, local):
    """'Eastern time (EST)'; the bare abbreviation where we have no friendlier name."""
    friendly = US_ZONE_NAMES.get(zone_name)
    return f"{friendly} time ({local.tzname()})" if friendly else local.tzname()
