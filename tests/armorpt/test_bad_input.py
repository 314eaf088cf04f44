"""Bad input, tried on purpose: every public form and the slot API answer 4xx or the form with
field errors, never a 500; nothing is saved from a bad request; what is echoed back is escaped."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments.models import Appointment
from tests.factories import AppointmentFactory
from tests.helpers import as_a_person

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    " ",
    "x" * 100_000,
    "nul\x00byte",
    "line\r\nBcc: victim@example.com",
    "😀🦴💪",
    "\u202eevil\u202c right-to-left",
    "שלום עולם",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE appointments_appointment; --",
    "1 OR 1=1",
    "{{ settings.SECRET_KEY }}",
    "%(password)s",
    "../../etc/passwd",
    "javascript:alert(1)",
    "0000-00-00",
    "9999-99-99T99:99:99",
    "2026-02-30T10:00:00-05:00",
    "-1",
    "1e309",
    "NaN",
    "None",
    "[]",
]
FIELDS = [
    "start",
    "specialist",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "reason",
    "notes",
    "consent",
]
SCRIPT_MARKERS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
_emails = itertools.count()


@pytest.fixture
def generous_limits(settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/m")


def valid_booking(world):
    n = next(_emails)
    return {
        "start": world.local(2, 10).astimezone(world.clinic.tz).isoformat(),
        "first_name": "Ana",
        "last_name": "Lopez",
        "email": f"fuzz{n}@example.com",
        "phone": "269-555-0111",
        "date_of_birth": "1985-04-02",
        "reason": "back-pain",
        "notes": "",
        "consent": "on",
        **as_a_person(),
    }


def assert_safe(response, sent_values):
    assert response.status_code < 500
    body = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
    for value in sent_values:
        for marker in SCRIPT_MARKERS:
            if marker in str(value):
                assert marker not in body, "echoed back unescaped"


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("value", NASTY, ids=lambda v: repr(v[:20]))
def test_booking_form_corpus(client, world, generous_limits, field, value):
    data = {**valid_booking(world), field: value}
    before = Appointment.objects.count()

    response = client.post(f"/book/{world.clinic.slug}/details/", data)

    assert_safe(response, [value])
    if response.status_code != 302:
        assert Appointment.objects.count() == before


@pytest.mark.parametrize("field", FIELDS)
def test_booking_form_missing_or_repeated_fields(client, world, generous_limits, field):
    data = valid_booking(world)
    missing = {k: v for k, v in data.items() if k != field}
    repeated = {**data, field: [data.get(field, "x"), "second value", "<script>alert(1)</script>"]}

    for payload in (missing, repeated):
        response = client.post(f"/book/{world.clinic.slug}/details/", payload)
        assert_safe(response, ["<script>alert(1)</script>"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=300) | st.sampled_from(NASTY), max_size=10))
def test_booking_form_fuzzed(client, world, generous_limits, data):
    payload = {**valid_booking(world), **data}
    before = Appointment.objects.count()

    response = client.post(f"/book/{world.clinic.slug}/details/", payload)

    assert_safe(response, data.values())
    if response.status_code != 302:
        assert Appointment.objects.count() == before


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    clinic=st.text(max_size=80) | st.sampled_from(["kalamazoo", "", "../admin"]),
    date=st.text(max_size=40) | st.dates().map(str) | st.sampled_from(["2026-13-01", "99999-01-01", ""]),
    specialist=st.none() | st.text(max_size=40) | st.just("alice-park"),
)
def test_slot_api_fuzzed(client, world, generous_limits, clinic, date, specialist):
    params = {"clinic": clinic, "date": date}
    if specialist is not None:
        params["specialist"] = specialist

    response = client.get("/api/slots/", params)

    assert response.status_code in (200, 400, 404)
    assert "error" in response.json() or "slots" in response.json()


@pytest.mark.parametrize("value", NASTY, ids=lambda v: repr(v[:20]))
def test_details_page_query_string_corpus(client, world, generous_limits, value):
    response = client.get(f"/book/{world.clinic.slug}/details/", {"start": value, "specialist": "alice-park"})
    assert_safe(response, [value])
    response = client.get(f"/book/{world.clinic.slug}/", {"specialist": value[:200], "from": value[:200]})
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("value", NASTY, ids=lambda v: repr(v[:20]))
def test_manage_links_with_bad_or_tampered_tokens(client, world, generous_limits, value):
    appointment = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(3, 10)
    )
    token = value.replace("/", "%2F")[:2000] or "x"
    tampered = appointment.token[:-3] + "abc"

    for bad in (token, tampered, appointment.token + token[:10]):
        for suffix in ("", "cancel/", "reschedule/", "calendar.ics"):
            assert client.get(f"/appointments/{bad}/{suffix}").status_code in (404, 410)
        assert client.post(f"/appointments/{bad}/cancel/").status_code in (404, 410)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


@pytest.mark.parametrize("value", NASTY, ids=lambda v: repr(v[:20]))
def test_reschedule_with_bad_start(client, world, generous_limits, value):
    appointment = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(3, 10)
    )
    original = appointment.start

    for response in (
        client.get(f"/appointments/{appointment.token}/reschedule/", {"start": value}),
        client.post(f"/appointments/{appointment.token}/reschedule/", {"start": value, "specialist": "alice-park"}),
    ):
        assert_safe(response, [value])
    appointment.refresh_from_db()
    assert appointment.start == original


def test_a_date_of_birth_at_the_edges_never_breaks(client, world, generous_limits):
    for value in ("0001-01-01", "9999-12-31", "1900-02-29", "2000-02-29", world.today().isoformat()):
        response = client.post(f"/book/{world.clinic.slug}/details/", {**valid_booking(world), "date_of_birth": value})
        assert response.status_code in (200, 302)


@pytest.mark.parametrize("field", ["email", "first_name", "source", "website", "rendered_at"])
@pytest.mark.parametrize("value", NASTY, ids=lambda v: repr(v[:20]))
def test_newsletter_signup_corpus(client, generous_limits, field, value):
    from newsletter.models import Subscriber

    data = {"email": "reader@example.com", "first_name": "Ana", **as_a_person(), field: value}

    response = client.post("/newsletter/", data)

    assert_safe(response, [value])
    if "Check your inbox" not in response.content.decode():
        assert Subscriber.objects.count() == 0


@pytest.mark.parametrize("value", NASTY, ids=lambda v: repr(v[:20]))
def test_newsletter_links_with_bad_tokens(client, generous_limits, value):
    token = value.replace("/", "%2F")[:2000] or "x"
    for kind in ("confirm", "unsubscribe"):
        assert client.get(f"/newsletter/{kind}/{token}/").status_code in (404, 410)
        response = client.post(f"/newsletter/{kind}/{token}/", {"List-Unsubscribe": "One-Click"})
        assert response.status_code in (400, 404, 410)


def test_a_newsletter_signup_faster_than_a_person_comes_back_to_be_sent_again(client, clock, generous_limits):
    from newsletter.models import Subscriber

    response = client.post("/newsletter/", {"email": "quick@example.com", "rendered_at": _now_signed()})

    page = response.content.decode()
    assert "Check your inbox" not in page and "That was sent very quickly" in page
    assert 'value="quick@example.com"' in page
    assert Subscriber.objects.count() == 0


def test_a_filled_newsletter_honeypot_gets_the_quiet_answer(client, generous_limits):
    from newsletter.models import Subscriber

    response = client.post("/newsletter/", {"email": "bot@example.com", **as_a_person(), "website": "x"})

    assert "Check your inbox" in response.content.decode()
    assert Subscriber.objects.count() == 0


def _now_signed():
    import time

    from django.core import signing

    from armorpt.forms import BotTrapMixin

    return signing.dumps(time.time(), salt=BotTrapMixin.SALT)
