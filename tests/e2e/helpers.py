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
    form = page.get_by_role("main")  # the footer has a newsletter form with its own "First name"
    for label, value in patient.items():
        form.get_by_label(label, exact=False).first.fill(value)  # a date input takes ISO whatever the locale
    form.get_by_role("radio", name=reason).check()
    form.get_by_role("checkbox", name=re.compile("I agree")).check()


def time_links(page, *, hours_ahead=0):
    """On step 2 (or the reschedule page): the links to free times at least `hours_ahead` away."""
    links = page.locator("main a:has(time[datetime])")
    earliest = timezone.now() + dt.timedelta(hours=hours_ahead)
    starts = links.locator("time").evaluate_all("times => times.map(t => t.getAttribute('datetime'))")
    return [(links.nth(i), start) for i, start in enumerate(starts) if dt.datetime.fromisoformat(start) >= earliest]


def choose_time(page, *, hours_ahead=48):
    """Follow the first free time at least `hours_ahead` away (by default past the 24-hour change cut-off).

    Returns its ISO start as the page shows it (clinic time with offset).
    """
    found = time_links(page, hours_ahead=hours_ahead)
    if not found:
        page.get_by_role("link", name="Later dates").click()
        found = time_links(page, hours_ahead=hours_ahead)
    link, start = found[0]
    link.click()
    page.wait_for_url(re.compile(r"start="))
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


def take_every_specialist_at(start, clinic_slug):
    """Someone faster books `start` with every specialist of the clinic."""
    from appointments import services
    from clinics.models import Clinic, Specialist

    clinic = Clinic.objects.get(slug=clinic_slug)
    for n, specialist in enumerate(Specialist.objects.filter(working_hours__clinic=clinic).distinct(), 900):
        patient = services.Patient(
            first_name="Faster", last_name=f"Patient{n}", email=f"faster{n}@example.com", phone=f"+1269555{n:04d}"
        )
        try:
            services.book_appointment(clinic=clinic, start=start, specialist=specialist, patient=patient)
        except services.BookingError:
            pass
