import datetime

import factory
from django.utils import timezone

from appointments.models import Appointment, AppointmentType, Patient, WorkingHours
from clinics.models import Clinic, Specialist


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    street_address = "1 Test Street"
    city = "Kalamazoo"
    postal_code = "49007"
    phone = "+12695550100"
    front_desk_email = factory.Sequence(lambda n: f"desk{n}@armorpt.test")
    confirms_online_bookings = True


class SpecialistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialist
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Specialist {n}")
    slug = factory.Sequence(lambda n: f"specialist-{n}")
    title = "Physical therapist"

    @factory.post_generation
    def clinics(self, create, extracted, **kwargs):
        if create and extracted:
            self.clinics.set(extracted)


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ("slug",)

    name = "Initial evaluation"
    slug = "initial-evaluation"
    duration_minutes = 60
    buffer_after_minutes = 15
    bookable_online = True


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    weekday = 0
    start_time = datetime.time(8, 0)
    end_time = datetime.time(17, 0)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    clinic = factory.SubFactory(ClinicFactory)
    specialist = factory.SubFactory(SpecialistFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(minutes=o.appointment_type.duration_minutes))
    status = Appointment.Status.CONFIRMED
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Patient{n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "+12695550150"
    date_of_birth = datetime.date(1980, 5, 17)
    reason = Appointment.Reason.BACK_PAIN


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Patient{n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = factory.Sequence(lambda n: f"+1269557{n % 10000:04d}")
    date_of_birth = datetime.date(1980, 5, 17)


# --- Content pages (guides) and the clinic details they show --------------------------
# Models named by label: the imports at the top of this file belong to the booking tests.


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clinics.Credential"
        django_get_or_create = ("abbreviation",)

    abbreviation = factory.Sequence(lambda n: f"CR{n}")
    name = factory.LazyAttribute(lambda o: f"Credential {o.abbreviation}")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clinics.OpeningHours"

    clinic = factory.SubFactory(ClinicFactory)
    weekday = 0
    opens = datetime.time(8, 0)
    closes = datetime.time(17, 0)


class ClinicClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "clinics.ClinicClosure"

    clinic = factory.SubFactory(ClinicFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    reason = "Staff training day"


class GuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Guide"
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Guide {n}")
    slug = factory.Sequence(lambda n: f"guide-{n}")
    summary = "A short guide for testing."
    body = "Some **helpful** words."
    is_published = True
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Exercise"

    guide = factory.SubFactory(GuideFactory)
    category = "muscle-performance"
    name = factory.Sequence(lambda n: f"Exercise {n}")
    purpose = "Helps with testing."
    steps = "Lie down.\nLift.\nLower slowly."
    dosage = "2 sets of 10."
    caution = "Stop if it hurts."


# --- Newsletter -----------------------------------------------------------------------


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "newsletter.Subscriber"

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    first_name = "Robin"
    status = "confirmed"
    confirmed_at = factory.LazyFunction(timezone.now)


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "newsletter.Issue"

    subject = factory.Sequence(lambda n: f"Stay strong this winter ({n})")
    body = "## Three stretches\n\nTry the **cat-camel** stretch each morning. See [our guide](/guides/back-pain-exercises/)."
    guide_url = "https://armorpt.test/guides/back-pain-exercises/"
