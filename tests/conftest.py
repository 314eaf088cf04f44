import datetime as dt
import time
from dataclasses import dataclass

import pytest
from django.core import signing
from django.utils import timezone

from appointments.models import BookingRules
from appointments.services import Patient
from tests.factories import AppointmentTypeFactory, ClinicFactory, SpecialistFactory, WorkingHoursFactory


@dataclass
class World:
    """One clinic open every day 08:00-17:00 with two specialists, and the default rules."""

    clinic: object
    alice: object
    bob: object
    visit_type: object
    rules: object

    def local(self, days_ahead, hour, minute=0):
        """An aware UTC datetime: `days_ahead` days from today, at hour:minute clinic time."""
        day = timezone.now().astimezone(self.clinic.tz).date() + dt.timedelta(days=days_ahead)
        return dt.datetime.combine(day, dt.time(hour, minute), self.clinic.tz).astimezone(dt.UTC)


def make_world():
    clinic = ClinicFactory(slug="kalamazoo", name="Armor PT Kalamazoo", confirms_online_bookings=True)
    alice = SpecialistFactory(slug="alice-park", name="Alice Park", clinics=[clinic])
    bob = SpecialistFactory(slug="bob-stone", name="Bob Stone", clinics=[clinic])
    for person in (alice, bob):
        for weekday in range(7):
            WorkingHoursFactory(specialist=person, clinic=clinic, weekday=weekday)
    rules = BookingRules()
    rules.save()
    return World(clinic, alice, bob, AppointmentTypeFactory(), rules)


@pytest.fixture
def world(db):
    return make_world()


def patient(n=1, **changes):
    values = {
        "first_name": "Ana",
        "last_name": f"Lopez{n}",
        "email": f"ana{n}@example.com",
        "phone": f"+1269555{n:04d}",
        "date_of_birth": dt.date(1985, 4, 2),
        "reason": "back-pain",
        "notes": "Sore since the move.",
        "consented_at": timezone.now(),
    }
    return Patient(**{**values, **changes})


def as_a_person():
    """The bot-trap fields of a form a person filled in a minute ago (armorpt.forms.BotTrapMixin)."""
    from armorpt.forms import BotTrapMixin

    return {"website": "", "rendered_at": signing.dumps(time.time() - 60, salt=BotTrapMixin.SALT)}


def use_broker(url, *, eager=False):
    """Point Celery at `url` and forget pooled connections to the old broker."""
    import kombu.pools

    from armorpt.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()
