"""The waitlist's patient pages: join at a clinic, an entry's own page, an offer (POST books it), leave.

Every address after joining carries a signed token (an entry's or an offer's); the rules are in
appointments.waitlist.
"""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from appointments import availability, services, waitlist
from appointments.forms import WaitlistForm
from appointments.models import BookingRules, WaitlistEntry, WaitlistOffer
from appointments.timefmt import format_when, zone_label
from appointments.views.common import specialist_or_404
from armorpt import languages
from armorpt.ratelimits import limited
from clinics.models import Clinic, Specialist

Outcome = WaitlistOffer.Outcome


@never_cache
@sensitive_post_parameters("first_name", "last_name", "email", "phone")
@require_http_methods(["GET", "POST"])
@limited("waitlist")
def join(request, clinic_slug):
    clinic = get_object_or_404(Clinic.objects.active(), slug=clinic_slug)
    specialists = list(
        Specialist.objects.bookable().filter(working_hours__clinic=clinic).distinct().prefetch_related("credentials")
    )
    now = timezone.now()
    options = {"clinic": clinic, "specialists": specialists, "now": now, "rules": BookingRules.current()}
    if request.method == "POST":
        form = WaitlistForm(request.POST, **options)
        if form.filled_honeypot():
            return render(request, "appointments/waitlist/received_quietly.html", {"clinic": clinic})
        if form.is_valid():
            try:
                entry = waitlist.join(entry=form.entry(language=languages.current()), now=now)
            except waitlist.WaitlistError as exc:
                form.add_error(exc.field, exc.message)
            else:
                return redirect("booking:waitlist", token=entry.token)
    else:
        asked = specialist_or_404(request.GET.get("specialist"))
        form = WaitlistForm(
            initial={"specialist": asked.slug if asked in specialists else ""},
            day=_date_or_none(request.GET.get("day")),
            **options,
        )
    return render(
        request,
        "appointments/waitlist/join.html",
        {"form": form, "clinic": clinic, "appointment_type": availability.online_type()},
    )


def _date_or_none(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@never_cache
@require_http_methods(["GET", "POST"])
@limited("booking_change")
def offer_or_entry(request, token):
    """An offer's page (its POST books the time), or, for an entry's token, the patient's place in line."""
    offer = WaitlistOffer.objects.get_by_token(token)
    if offer is None:
        return _entry_page(request, _entry_or_404(token))
    entry = offer.entry
    if entry.erased_at:
        raise Http404("No waitlist offer for this link.")
    if offer.outcome == Outcome.BOOKED and offer.appointment_id:
        return redirect("booking:done", token=offer.appointment.token)
    now = timezone.now()
    problem, who = None, [offer.specialist] if offer.specialist else []
    if request.method == "POST":
        try:
            appointment = waitlist.claim(offer=offer, now=now)
        except (waitlist.WaitlistError, services.BookingError) as exc:
            problem = exc
        else:
            return redirect("booking:done", token=appointment.token)
    else:
        try:
            waitlist.check_open(offer, now)
        except waitlist.WaitlistError as exc:
            problem = exc
        else:
            # Booked on the site meanwhile: say so before the patient taps "Book".
            if not (who := waitlist.free_with(offer, now)):
                problem = waitlist.TimeTaken(waitlist.TAKEN)
    return render(
        request,
        "appointments/waitlist/offer.html",
        {
            **_entry_context(entry),
            "offer": offer,
            "when": format_when(offer.start_local),
            "zone": zone_label(entry.clinic.timezone, offer.start_local),
            "until": waitlist.held_until(offer),
            "who": who,
            "problem": problem,
            "taken": isinstance(problem, waitlist.TimeTaken),
        },
    )


def _entry_or_404(token):
    entry = WaitlistEntry.objects.get_by_token(token)
    if entry is None:
        offer = WaitlistOffer.objects.get_by_token(token)
        entry = offer.entry if offer else None
    if entry is None or entry.erased_at:
        raise Http404("No waitlist place for this link.")
    return entry


def _entry_page(request, entry):
    if request.method == "POST":
        return redirect("booking:waitlist_leave", token=entry.token)
    return render(request, "appointments/waitlist/entry.html", _entry_context(entry))


def _entry_context(entry):
    return {
        "entry": entry,
        "clinic": entry.clinic,
        "days": waitlist.days_display(entry),
        "parts": waitlist.times_display(entry),
        "appointment_type": availability.online_type(),
        # Until the nightly purge marks it, an entry whose days have passed reads as ended.
        "waiting": entry.status == WaitlistEntry.Status.WAITING
        and entry.last_day >= availability.local_today(entry.clinic, timezone.now()),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@limited("booking_change")
def leave(request, token):
    # GET only asks: mail scanners follow links, and must not take anyone off the list.
    entry = _entry_or_404(token)
    if request.method == "POST":
        entry = waitlist.leave(entry=entry)
        return render(request, "appointments/waitlist/left.html", _entry_context(entry))
    return render(request, "appointments/waitlist/leave.html", _entry_context(entry))
