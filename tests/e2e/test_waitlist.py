"""The waitlist in a real browser: a patient on a phone joins from the time picker, another patient
cancels, and the first books the freed time from the offer email in two taps."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import FormTimer, body_of, emails_to, manage_path, run_vnu, take_every_specialist_at
from tests.helpers import as_a_person, book_directly

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WAITER = {"First name": "Wren", "Last name": "Waites", "Email": "wren.waites@example.com", "Phone": "269-555-0188"}
OFFER_LINK = re.compile(r"https?://[^\s\"'<>]+(/waitlist/[^/\s\"'<>]+/)")


@pytest.mark.e2e(needs=("chromium", "axe"))
def test_a_patient_joins_from_the_picker_and_books_a_cancelled_time_from_the_email(demo, journey, outbox, axe):
    from appointments.models import Appointment, WaitlistEntry

    # Someone else holds a time that the waiting patient would take.
    taken = book_directly("kalamazoo", n=41)
    canceller_email = emails_to(taken.email)[0]

    page = journey.new_page(**PHONE)
    page.goto("/book/kalamazoo/")
    journey.step(page, "step 2: the time picker")
    page.get_by_role("link", name="Tell me when a time opens").click()

    expect(page).to_have_url(re.compile(r"/book/kalamazoo/waitlist/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell me when a time opens")
    page.get_by_role("button", name="Put me on the waitlist").click()  # nothing filled in yet
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    journey.step(page, "waitlist form: what to fix")
    assert axe(page) == []
    timer = FormTimer()
    form = page.get_by_role("main")
    for label, value in WAITER.items():
        form.get_by_label(label, exact=False).first.fill(value)
    form.get_by_role("checkbox", name=re.compile("I agree")).check()
    journey.step(page, "waitlist form filled in")
    assert axe(page) == []
    timer.wait()
    form.get_by_role("button", name="Put me on the waitlist").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You're on the waitlist")
    journey.step(page, "on the waitlist")
    assert axe(page) == []
    entry = WaitlistEntry.objects.get(email=WAITER["Email"])
    (joined,) = emails_to(WAITER["Email"])
    assert f"/waitlist/{entry.token}/leave/" in body_of(joined)

    # The other patient cancels through their own email's link.
    other = journey.new_page()
    other.goto(manage_path(canceller_email))
    other.get_by_role("link", name="Cancel this appointment").click()
    other.get_by_role("button", name=re.compile("Yes, cancel")).click()
    expect(other.get_by_role("main")).to_contain_text("This appointment is cancelled")

    # The offer email: the time, and a link. Tap 1 opens it, tap 2 books it.
    offer_email = emails_to(WAITER["Email"])[-1]
    assert offer_email.subject.startswith("A time opened at")
    link = OFFER_LINK.search(offer_email.body)
    assert link, offer_email.body
    page.goto(urlsplit(link.group(0)).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("A time opened for you")
    journey.step(page, "the offer")
    assert axe(page) == []
    page.get_by_role("button", name="Book this time").click()

    expect(page).to_have_url(re.compile(r"/book/done/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    journey.step(page, "booked from the waitlist")
    booked = Appointment.objects.active().get(email=WAITER["Email"])
    assert booked.start == taken.start
    entry.refresh_from_db()
    assert entry.status == "booked"
    assert emails_to(WAITER["Email"])[-1].subject.startswith("Confirmed")


@pytest.mark.e2e(needs=("vnu",))
def test_every_waitlist_page_is_valid_html(demo_in_transaction, client, tmp_path):
    from appointments import services, waitlist
    from appointments.models import WaitlistOffer

    pages = {"join": client.get("/book/kalamazoo/waitlist/?specialist=marcus-reed")}
    pages["join, bad values"] = client.post(
        "/book/kalamazoo/waitlist/",
        # What a browser's date inputs let through: dates, but in the past and in the wrong order.
        {"first_day": "2000-01-10", "last_day": "2000-01-01", "email": "no", "phone": "12", **as_a_person()},
    )
    joined = client.post(
        "/book/kalamazoo/waitlist/",
        {
            "first_name": "Wren",
            "last_name": "Waites",
            "email": "wren@example.com",
            "phone": "269-555-0188",
            "consent": "on",
            "first_day": client.get("/book/kalamazoo/waitlist/").context["form"].initial["first_day"].isoformat(),
            "last_day": client.get("/book/kalamazoo/waitlist/").context["form"].initial["last_day"].isoformat(),
            **as_a_person(),
        },
    )
    pages["on the waitlist"] = client.get(joined["Location"])
    pages["leave?"] = client.get(joined["Location"] + "leave/")
    services.cancel_appointment(appointment=book_directly("kalamazoo", n=42), by_patient=False)
    offer = WaitlistOffer.objects.get()
    pages["offer"] = client.get(f"/waitlist/{offer.token}/")
    take_every_specialist_at(offer.start, "kalamazoo")  # others booked it on the site first
    pages["offer, taken"] = client.post(f"/waitlist/{offer.token}/")
    waitlist.leave(entry=offer.entry)
    pages["left"] = client.post(joined["Location"] + "leave/")
    files = {}
    for number, (name, response) in enumerate(pages.items()):
        assert response.status_code == 200, name
        path = tmp_path / f"waitlist-{number}.html"
        path.write_text(response.content.decode())
        files[str(path)] = name

    errors = run_vnu(files)

    assert errors == {}, {files[path]: messages for path, messages in errors.items()}
