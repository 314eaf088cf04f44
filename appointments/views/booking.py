"""The three booking steps: choose a clinic, choose a time (appointments.picker), give your details."""

import datetime as dt
from urllib.parse import parse_qsl, urlencode

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from appointments import availability, picker, screening, services, slotcache
from appointments.forms import BookingForm
from appointments.models import Appointment, BookingRules
from appointments.timefmt import format_short, format_when, zone_label
from appointments.views.common import carry, query_with, reason_asked, specialist_or_404
from armorpt import languages
from armorpt.pagecache import cache_public_page
from armorpt.ratelimits import limited
from clinics import finder
from clinics.models import Clinic, Specialist
from practice import selectors as practice

# --- Step 1: choose a clinic -------------------------------------------------------------


@require_GET
def start(request):
    specialist = specialist_or_404(request.GET.get("specialist"))
    # Many clinics: a page of them, nearest to where the patient searched (clinics.finder).
    found = finder.search(specialist.clinics.active() if specialist else Clinic.objects.active(), request.GET)
    clinics = found.results.clinics
    openings = slotcache.next_openings(clinics, now=timezone.now(), specialist=specialist)
    cards = [{"clinic": c, "opening": _opening_label(openings[c.pk]), "plans": practice.plans_at(c)} for c in clinics]
    # "Soonest" reorders the clinics on the page: the whole list when there are few, else the finder's page.
    sort = "soonest" if request.GET.get("sort") == "soonest" else "name"
    if sort == "soonest":
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        cards.sort(key=lambda card: openings[card["clinic"].pk] or far)
    return render(
        request,
        "appointments/start.html",
        {
            "cards": cards,
            "finder": found,
            "carry_fields": parse_qsl(carry(request, specialist=specialist)),
            "page_links": finder.page_links(request.GET, page=found.results.page, has_next=found.results.has_next),
            "specialist": specialist,
            "sort": sort,
            "carry": carry(request, specialist=specialist),
            "sort_links": {key: "?" + query_with(request, sort=key) for key in ("name", "soonest")},
            "first_visit_price": practice.first_visit_price(),
            "direct_access": practice.direct_access(),
        },
    )


def _opening_label(local_start):
    return format_short(local_start) if local_start else None


# --- Step 2: choose a time ---------------------------------------------------------------


@require_GET
# Whole pages, dropped by any change to the clinic's times, its specialists or the minute (slotcache).
# The footer's list of clinics may lag a rename elsewhere by the page's minute.
@cache_public_page(vary=slotcache.page_version)
def times(request, clinic_slug):
    clinic = get_object_or_404(Clinic.objects.active(), slug=clinic_slug)
    specialist = specialist_or_404(request.GET.get("specialist"))
    now = timezone.now()
    choices = _bookable_specialists(clinic)
    if specialist and specialist not in choices:
        return render(
            request,
            "appointments/not_here.html",
            {"clinic": clinic, "specialist": specialist, "elsewhere": specialist.clinics.active()},
            status=404,
        )
    time_picker = picker.build(
        clinic=clinic,
        specialist=specialist,
        choices=choices,
        day=_date_or_none(request.GET.get("day") or request.GET.get("from")),  # `from`: older links
        now=now,
        rules=BookingRules.current(),
        appointment_type=availability.online_type(),
        reason=reason_asked(request),
    )
    return render(
        request,
        "appointments/times.html",
        {
            "clinic": clinic,
            "specialist": specialist,
            "picker": time_picker,
            "zone": zone_label(clinic.timezone, now.astimezone(clinic.tz)),
            "booking_step": True,
        },
    )


def _date_or_none(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _bookable_specialists(clinic):
    return list(
        Specialist.objects.bookable().filter(working_hours__clinic=clinic).distinct().prefetch_related("credentials")
    )


# --- Step 3: the patient's details --------------------------------------------------------


@never_cache
@sensitive_post_parameters("first_name", "last_name", "email", "phone", "date_of_birth", "notes")
@require_http_methods(["GET", "POST"])
@limited("booking")
def details(request, clinic_slug):
    clinic = get_object_or_404(Clinic.objects.active(), slug=clinic_slug)
    specialist = specialist_or_404(request.POST.get("specialist") or request.GET.get("specialist"))
    if specialist and not specialist.working_hours.filter(clinic=clinic).exists():
        return redirect(reverse("booking:times", args=[clinic.slug]) + "?" + urlencode({"specialist": specialist.slug}))
    now = timezone.now()
    if request.method == "POST":
        form = BookingForm(request.POST, clinic=clinic, specialist=specialist, now=now)
        if form.filled_honeypot():
            return render(request, "appointments/received_quietly.html", {"clinic": clinic})
        screened = screening.came_through_with_no_warning_signs(request)
        if form.is_valid() and (appointment := _book(form, clinic, specialist, now, screened=screened)):
            response = redirect("booking:done", token=appointment.token)
            if appointment.self_check_clear:
                screening.forget(response)  # used: the next booking from this browser starts afresh
            return response
    elif "start" not in request.GET:
        return redirect("booking:times", clinic_slug=clinic.slug)
    else:
        form = BookingForm(
            initial={"start": request.GET["start"], "reason": reason_asked(request)},
            clinic=clinic,
            specialist=specialist,
            now=now,
        )
        _check_start_on_arrival(form, request.GET["start"], clinic, specialist, now)
    context = _details_context(form, clinic, specialist)
    context["self_check_clear"] = screening.came_through_with_no_warning_signs(request)
    return render(request, "appointments/details.html", context)


def _check_start_on_arrival(form, value, clinic, specialist, now):
    """Say at once if the chosen time is no good, rather than after the patient typed everything."""
    start, problem = availability.check_start(value, clinic=clinic, specialist=specialist, now=now)
    if problem:
        form.start_problem = problem
        form.offer_alternatives(start)
    form.chosen_start = start if not problem else None


def _book(form, clinic, specialist, now, *, screened=False):
    data = form.cleaned_data
    patient = services.Patient(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=str(data["phone"]),
        date_of_birth=data["date_of_birth"],
        reason=data["reason"],
        notes=data["notes"],
        payment=data["payment"],
        consented_at=now,
        # Only for back pain: the self-check asked about back pain and nothing else.
        self_check_clear=screened and data["reason"] == Appointment.Reason.BACK_PAIN,
        language=languages.current(),
    )
    try:
        return services.book_appointment(
            clinic=clinic, start=data["start"], specialist=specialist, patient=patient, now=now
        )
    except services.SlotUnavailable as exc:
        start = data["start"]  # add_error() drops it from cleaned_data
        # Why the time is not free, as the patient understands it (not offered, or taken meanwhile).
        _, problem = availability.check_start(start.isoformat(), clinic=clinic, specialist=specialist, now=now)
        form.add_error("start", problem or exc.message)
        form.offer_alternatives(start)
        form.chosen_start = None
    except services.BookingError as exc:
        form.add_error(exc.field, exc.message)
    return None


def _details_context(form, clinic, specialist):
    start = getattr(form, "chosen_start", None)
    if form.is_bound and "start" in getattr(form, "cleaned_data", {}):
        start = form.cleaned_data["start"]
    alternatives = [
        {"iso": slot.start.astimezone(clinic.tz).isoformat(), "label": format_when(slot.start.astimezone(clinic.tz))}
        for slot in form.alternatives
    ]
    return {
        "form": form,
        "clinic": clinic,
        "specialist": specialist,
        "appointment_type": availability.online_type(),
        "when": format_when(start.astimezone(clinic.tz)) if start else None,
        "start_problem": getattr(form, "start_problem", None) or (form.errors.get("start") or [None])[0],
        "alternatives": alternatives,
        "times_url": reverse("booking:times", args=[clinic.slug])
        + (f"?specialist={specialist.slug}" if specialist else ""),
    }
