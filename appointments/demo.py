"""Sample appointment types and working hours for the demo team (see clinics.demo)."""

import datetime
import itertools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from appointments import availability, roles, services
from appointments.models import Appointment, AppointmentType, BookingRules, WorkingHours
from clinics.models import Clinic, ClinicAccess, Specialist

MORNING = ("08:00", "12:00")
AFTERNOON = ("13:00", "17:00")
MON, TUE, WED, THU, FRI, SAT = range(6)

# specialist slug -> clinic slug -> weekday -> blocks. Every block lies inside the clinic's opening hours.
SCHEDULES = {
    "marcus-reed": {
        "kalamazoo": {MON: [MORNING, AFTERNOON], WED: [MORNING, AFTERNOON], FRI: [MORNING, AFTERNOON]},
        "portage": {TUE: [MORNING, AFTERNOON], THU: [MORNING, AFTERNOON]},
    },
    "dana-whitfield": {
        "kalamazoo": {TUE: [MORNING, AFTERNOON], WED: [MORNING, AFTERNOON], FRI: [MORNING]},
        "paw-paw": {MON: [MORNING, AFTERNOON], THU: [MORNING, AFTERNOON]},
    },
    "luis-moreno": {
        "portage": {MON: [MORNING, AFTERNOON], WED: [MORNING, AFTERNOON], FRI: [MORNING, ("13:00", "16:00")]},
        "battle-creek": {TUE: [MORNING, AFTERNOON], THU: [MORNING, AFTERNOON]},
    },
    "grace-kowalski": {
        "battle-creek": {MON: [MORNING, AFTERNOON], WED: [MORNING, AFTERNOON], FRI: [MORNING, ("13:00", "15:00")]},
        "st-joseph": {TUE: [MORNING, AFTERNOON], THU: [MORNING, AFTERNOON]},
    },
    "ben-okafor": {
        "st-joseph": {MON: [MORNING, AFTERNOON], WED: [MORNING, AFTERNOON], FRI: [MORNING, ("13:00", "15:00")]},
        "kalamazoo": {TUE: [MORNING, AFTERNOON], THU: [MORNING, AFTERNOON], SAT: [("08:00", "12:00")]},
    },
    "hannah-lee": {
        "portage": {TUE: [MORNING, AFTERNOON], THU: [MORNING, AFTERNOON]},
        "paw-paw": {MON: [MORNING, AFTERNOON], FRI: [MORNING]},
    },
}

TYPES = [
    {
        "slug": "initial-evaluation",
        "name": "Initial evaluation",
        "duration_minutes": 60,
        "buffer_after_minutes": 15,
        "bookable_online": True,
        "what_to_bring": (
            "Your photo ID and insurance card, a list of the medicines you take, any referral or imaging reports "
            "you have, and comfortable clothes you can move in. Please arrive 10 minutes early."
        ),
        "name_es": "Evaluación inicial",
        "what_to_bring_es": (
            "Su identificación con foto y su tarjeta del seguro, una lista de los medicamentos que toma, "
            "cualquier referido o estudio de imágenes que tenga, y ropa cómoda con la que pueda moverse. "
            "Por favor, llegue 10 minutos antes."
        ),
    },
    {
        "slug": "follow-up",
        "name": "Follow-up visit",
        "duration_minutes": 45,
        "buffer_after_minutes": 0,
        "bookable_online": False,
        "what_to_bring": "Comfortable clothes you can move in.",
        "name_es": "Visita de seguimiento",
        "what_to_bring_es": "Ropa cómoda con la que pueda moverse.",
    },
]


def load():
    for order, spec in enumerate(TYPES):
        kind, created = AppointmentType.objects.get_or_create(
            slug=spec["slug"], defaults={**spec, "display_order": order}
        )
        if not created and not kind.name_es:  # a demo loaded before the Spanish came gets it now
            AppointmentType.objects.filter(pk=kind.pk).update(
                name_es=spec["name_es"], what_to_bring_es=spec["what_to_bring_es"]
            )
    if not BookingRules.objects.exists():
        BookingRules().save()
    for specialist_slug, clinics in SCHEDULES.items():
        specialist = Specialist.objects.filter(slug=specialist_slug).first()
        if specialist and not specialist.working_hours.exists():
            _load_hours(specialist, clinics)


def _load_hours(specialist, clinics):
    for clinic_slug, days in clinics.items():
        clinic = Clinic.objects.get(slug=clinic_slug)
        for weekday, blocks in days.items():
            for start, end in blocks:
                WorkingHours.objects.create(
                    specialist=specialist,
                    clinic=clinic,
                    weekday=weekday,
                    start_time=datetime.time.fromisoformat(start),
                    end_time=datetime.time.fromisoformat(end),
                )


# Local staff accounts, one per role; the password is for a laptop only.
DEMO_STAFF_PASSWORD = "armor-local-demo"
DEMO_STAFF = [
    {"username": "frontdesk-kalamazoo", "first_name": "Kim", "role": roles.FRONT_DESK, "clinics": ["kalamazoo"]},
    {
        "username": "manager-kalamazoo-portage",
        "first_name": "Morgan",
        "role": roles.CLINIC_MANAGER,
        "clinics": ["kalamazoo", "portage"],
    },
    {"username": "marketing", "first_name": "Riley", "role": roles.MARKETING, "clinics": []},
]


def load_staff():
    """Staff users for trying the roles locally; only with DEBUG on, as a known password must never reach production.

    Returns the usernames it made sure of (none with DEBUG off).
    """
    if not settings.DEBUG:
        return []
    roles.grant_roles()
    for spec in DEMO_STAFF:
        user, created = get_user_model().objects.get_or_create(
            username=spec["username"], defaults={"first_name": spec["first_name"], "is_staff": True}
        )
        if created:
            user.set_password(DEMO_STAFF_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=spec["role"]))
            for clinic in Clinic.objects.filter(slug__in=spec["clinics"]):
                ClinicAccess.objects.get_or_create(user=user, clinic=clinic)
    return [spec["username"] for spec in DEMO_STAFF]


# Made-up callers; 555-0100 to 555-0199 are numbers set aside for fiction.
SAMPLE_CALLERS = [
    ("Maria", "Alvarez"),
    ("James", "Carter"),
    ("Priya", "Natarajan"),
    ("Tom", "Kowalczyk"),
    ("Aisha", "Brooks"),
    ("Dale", "Henderson"),
    ("Mei", "Chen"),
    ("Oscar", "Lindqvist"),
]
SAMPLE_VISITS_PER_CLINIC = 6


def load_sample_visits(now):
    """A few phone bookings over the coming two weeks, so the day and week views have something to show.

    Only with DEBUG on and only into an empty appointment book (so a second run adds nothing and
    real bookings are never mixed with these). The callers have no email address: nothing is sent.
    Returns the visits booked.
    """
    if not settings.DEBUG or Appointment.objects.exists():
        return []
    visit_type = availability.online_type()
    window = availability.Window.for_patients(BookingRules.current(), now)
    clinics = list(Clinic.objects.order_by("name"))
    slots = availability.slots_for_clinics(clinics, now=now, days=14, appointment_type=visit_type, window=window)
    callers = itertools.cycle(enumerate(SAMPLE_CALLERS))
    visits = []
    for clinic in clinics:
        free = slots[clinic.pk]
        for slot in free[:: max(1, len(free) // SAMPLE_VISITS_PER_CLINIC)][:SAMPLE_VISITS_PER_CLINIC]:
            n, (first_name, last_name) = next(callers)
            caller = services.Patient(first_name, last_name, phone=f"+1269555{150 + n:04d}")
            visits.append(
                services.book_appointment(
                    clinic=clinic, start=slot.start, patient=caller, source=Appointment.Source.PHONE, now=now
                )
            )
    return visits
