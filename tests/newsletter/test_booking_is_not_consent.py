"""Newsletter consent is separate: booking an appointment never subscribes anyone."""

import pytest
from django.core import mail

from newsletter.models import Subscriber
from tests.helpers import as_a_person

pytestmark = pytest.mark.django_db


def test_booking_an_appointment_subscribes_nobody(client, world, django_capture_on_commit_callbacks):
    start = world.local(2, 10).astimezone(world.clinic.tz).isoformat()
    details = {
        "start": start,
        "first_name": "Ana",
        "last_name": "Lopez",
        "email": "ana@example.com",
        "phone": "(269) 555-0111",
        "date_of_birth": "1985-04-02",
        "reason": "back-pain",
        "consent": "on",
        **as_a_person(),
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/book/{world.clinic.slug}/details/", details)

    assert response.status_code == 302, "the booking did not go through"
    assert any(m.to == ["ana@example.com"] for m in mail.outbox)  # the booking's own email went out
    assert Subscriber.objects.count() == 0
    assert not [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]
