"""What a patient does in the browser, in a few words each; and reading the emails they get."""

import datetime as dt
import re
import time
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone

from armorpt.forms import BotTrapMixin

# A POST sooner than this after the form was shown is taken for a bot and dropped quietly.
HUMAN_PAUSE = BotTrapMixin.MIN_SECONDS + 0.3

PATIENT = {
    "First name": "Ana",
    "Last name": "Lopez",
    "Email": "ana.lopez@example.com",
    "Phone": "269-555-0142",
    "Date of birth": "1985-04-02",
}
MANAGE_LINK = re.compile(r"https?://[^\s\"'<>]+/appointments/[^/\s\"'<>]+/")


class FormTimer:
    """Remembers when a form was shown, and waits until a person could have filled it in."""

    def __init__(self):
        self.shown_at = time.monotonic()

    def wait(self):
        remaining = HUMAN_PAUSE - (time.monotonic() - self.shown_at)
        if remaining > 0:
            time.sleep(remaining)


def fill_details(page, patient=PATIENT, reason="Back pain"):
    for label, value in patient.items():
        field = page.get_by_label(label, exact=False).first
        if label == "Date of birth" and field.get_attribute("type") == "date":
            field.fill(value)  # a date input takes ISO whatever the locale shows
        else:
            field.fill(value)
    page.get_by_role("radio", name=reason).check()
    page.get_by_role("checkbox", name=re.compile("I agree")).check()


def choose_first_time(page):
    """On step 2, follow the first free time; returns its ISO start."""
    link = page.locator("main a[href*='/details/']").first
    start = link.locator("time").get_attribute("datetime")
    link.click()
    return start


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def body_of(message):
    """Plain text and HTML bodies together."""
    parts = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def manage_path(message):
    """The site-relative manage link in a booking email (its host is SITE_URL, not the live server)."""
    found = MANAGE_LINK.search(body_of(message))
    assert found, f"no manage link in the email {message.subject!r}:\n{message.body}"
    return urlsplit(found.group(0)).path


def free_starts(clinic, specialist, day):
    """The free start times of one specialist on one local day, as the slot API computes them."""
    from appointments import availability

    now = timezone.now()
    slots = availability.slots_for_clinics(
        [clinic], now=now, days=1, first_day=day, appointment_type=availability.online_type(), specialist=specialist
    )[clinic.pk]
    return {slot.start for slot in slots}


def book_directly(clinic_slug="kalamazoo", n=1, *, skip=0):
    """An appointment made through the booking service (for tests about what happens after booking)."""
    from appointments import availability, services
    from clinics.models import Clinic

    clinic = Clinic.objects.get(slug=clinic_slug)
    now = timezone.now()
    # From tomorrow + 2 days, so the visit is well outside the online change cut-off.
    first_day = availability.local_today(clinic, now) + dt.timedelta(days=2)
    slots = availability.slots_for_clinics(
        [clinic], now=now, days=14, first_day=first_day, appointment_type=availability.online_type()
    )[clinic.pk]
    patient = services.Patient(
        first_name="Ben",
        last_name=f"Ortiz{n}",
        email=f"ben{n}@example.com",
        phone=f"+1269555{n:04d}",
        date_of_birth=dt.date(1979, 6, 1),
        reason="back-pain",
        consented_at=now,
    )
    return services.book_appointment(clinic=clinic, start=slots[skip].start, patient=patient, now=now)
