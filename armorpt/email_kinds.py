"""What each kind of outbox email is called where staff read it (the outbox, a visit's emails).

The code names a kind `appointment.front_desk`; the front desk reads "Notice to the front desk".
A kind that is not here yet still shows, as words made from its code name; a test fails until it
is named here (tests/appointments/test_front_desk_tool.py).
"""

LABELS = {
    "appointment.received": "Booking received (to confirm)",
    "appointment.confirmed": "Booking confirmation",
    "appointment.rescheduled": "New time (rescheduled)",
    "appointment.cancelled": "Cancellation",
    "appointment.reminder": "Reminder the day before",
    "appointment.front_desk": "Notice to the front desk: new online booking",
    "appointment.front_desk_moved": "Notice to the front desk: moved online",
    "appointment.front_desk_cancelled": "Notice to the front desk: cancelled online",
    "waitlist.joined": "Waitlist: joined",
    "waitlist.offer": "Waitlist: a time is offered",
    "newsletter.confirm": "Newsletter: confirm your address",
    "newsletter.welcome": "Newsletter: welcome",
    "newsletter.test": "Newsletter: test copy to staff",
}


def label(kind: str) -> str:
    """The plain name of `kind`; for one not named above, its code name made readable."""
    return LABELS.get(kind) or kind.replace("_", " ").replace(".", ": ").capitalize()


def choices(kinds):
    """(kind, label) pairs for a filter, by label."""
    return sorted(((kind, label(kind)) for kind in kinds), key=lambda pair: pair[1])
