import datetime

import factory
from django.utils import timezone

from appointments.models import Appointment, AppointmentType, WorkingHours
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
