import datetime as dt
from functools import wraps
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.core.validators import slug_re
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from appointments import availability, picker, services, slotcache
from appointments.calendar import appointment_ics
from appointments.forms import BookingForm
from appointments.models import Appointment, BookingRules
from appointments.timefmt import format_day, format_short, format_time, format_when, zone_label
from armorpt.pagecache import cache_public_page
from armorpt.ratelimits import ALL, limited
from clinics.models import Clinic, Specialist

DAYS_PER_PAGE = 14  # days searched per page of times
DAYS_SHOWN = 5  # days with free times shown per page
REASONS = dict(Appointment.Reason.choices)


# --- Step 1: choose a clinic -------------------------------------------------------------


@require_GET
def start(request):
    specialist = _specialist_or_404(request.GET.get("specialist"))
    now = timezone.now()
    if specialist:
        clinics = list(specialist.clinics.active())
        found = availability.next_openings(clinics, now=now, specialist=specialist)
        openings = {c.slug: found[c.pk].start.astimezone(c.tz) if found[c.pk] else None for c in clinics}
    else:
        clinics = list(Clinic.objects.active())
        openings = availability.cached_next_openings(now=now)
    cards = [{"clinic": c, "opening": _opening_label(openings.get(c.slug))} for c in clinics]
    sort = "soonest" if request.GET.get("sort") == "soonest" else "name"
    if sort == "soonest":
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        cards.sort(key=lambda card: openings.get(card["clinic"].slug) or far)
    return render(
        request,
        "appointments/start.html",
        {
            "cards": cards,
            "specialist": specialist,
            "sort": sort,
            "carry": _carry(request, specialist=specialist),
            "sort_links": {key: "?" + _query(request, sort=key) for key in ("name", "soonest")},
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
    specialist = _specialist_or_404(request.GET.get("specialist"))
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
        reason=_reason(request),
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


def _first_day(value, clinic, now, rules):
    today = availability.local_today(clinic, now)
    try:
        day = dt.date.fromisoformat(value) if value else today
    except ValueError:
        return today
    return min(max(day, today), today + rules.horizon)


def _days_with_times(clinic, specialist, now, first_day, rules, reason=""):
    """Up to DAYS_SHOWN days that have free times, from `first_day`; and where to continue."""
    slots = availability.slots_for_clinics(
        [clinic],
        now=now,
        days=DAYS_PER_PAGE,
        first_day=first_day,
        appointment_type=availability.online_type(),
        specialist=specialist,
        rules=rules,
    )[clinic.pk]
    days = []
    for day, group in groupby(slots, key=lambda slot: slot.start.astimezone(clinic.tz).date()):
        if len(days) == DAYS_SHOWN:
            return days, day
        times = [_time_choice(clinic, slot, specialist, reason) for slot in group]
        days.append({"date": day, "label": format_day(dt.datetime.combine(day, dt.time())), "times": times})
    searched_to = first_day + dt.timedelta(days=DAYS_PER_PAGE)
    within_horizon = searched_to <= availability.local_today(clinic, now) + rules.horizon
    return days, searched_to if within_horizon else None


def _time_choice(clinic, slot, specialist, reason):
    local = slot.start.astimezone(clinic.tz)
    params = {"start": local.isoformat()}
    if specialist:
        params["specialist"] = specialist.slug
    if reason:
        params["reason"] = reason
    return {
        "label": format_time(local),
        "when": format_when(local),
        "iso": local.isoformat(),
        "query": urlencode(params),
    }


# --- Step 3: the patient's details --------------------------------------------------------


@never_cache
@sensitive_post_parameters("first_name", "last_name", "email", "phone", "date_of_birth", "notes")
@require_http_methods(["GET", "POST"])
@limited("booking")
def details(request, clinic_slug):
    clinic = get_object_or_404(Clinic.objects.active(), slug=clinic_slug)
    specialist = _specialist_or_404(request.POST.get("specialist") or request.GET.get("specialist"))
    if specialist and not specialist.working_hours.filter(clinic=clinic).exists():
        return redirect(reverse("booking:times", args=[clinic.slug]) + "?" + urlencode({"specialist": specialist.slug}))
    now = timezone.now()
    if request.method == "POST":
        form = BookingForm(request.POST, clinic=clinic, specialist=specialist, now=now)
        if form.filled_honeypot():
            return render(request, "appointments/received_quietly.html", {"clinic": clinic})
        if form.is_valid() and (appointment := _book(form, clinic, specialist, now)):
            return redirect("booking:done", token=appointment.token)
    elif "start" not in request.GET:
        return redirect("booking:times", clinic_slug=clinic.slug)
    else:
        form = BookingForm(
            initial={"start": request.GET["start"], "reason": _reason(request)},
            clinic=clinic,
            specialist=specialist,
            now=now,
        )
        _check_start_on_arrival(form, request.GET["start"], clinic, specialist, now)
    return render(request, "appointments/details.html", _details_context(form, clinic, specialist))


def _check_start_on_arrival(form, value, clinic, specialist, now):
    """Say at once if the chosen time is no good, rather than after the patient typed everything."""
    start, problem = availability.check_start(value, clinic=clinic, specialist=specialist, now=now)
    if problem:
        form.start_problem = problem
        form.offer_alternatives(start)
    form.chosen_start = start if not problem else None


def _book(form, clinic, specialist, now):
    data = form.cleaned_data
    patient = services.Patient(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=str(data["phone"]),
        date_of_birth=data["date_of_birth"],
        reason=data["reason"],
        notes=data["notes"],
        consented_at=now,
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


# --- Step 4 and after: confirmation, manage, cancel, reschedule ---------------------------------


def _appointment_or_404(token):
    appointment = Appointment.objects.get_by_token(token)
    if appointment is None or appointment.erased_at:
        raise Http404("No appointment for this link.")
    return appointment


def with_current_appointment(view):
    """Pass the view the appointment its link points at; a visit that is over answers 410."""

    @wraps(view)
    def wrapped(request, token, **kwargs):
        appointment = _appointment_or_404(token)
        if appointment.end < timezone.now():
            return _expired(request, appointment)
        return view(request, appointment, **kwargs)

    return wrapped


def _expired(request, appointment):
    return render(request, "appointments/expired.html", _appointment_context(appointment), status=410)


@never_cache
@require_GET
def done(request, token):
    appointment = _appointment_or_404(token)
    return render(request, "appointments/done.html", _appointment_context(appointment))


@never_cache
@require_GET
@with_current_appointment
def manage(request, appointment):
    return render(request, "appointments/manage.html", _appointment_context(appointment))


@never_cache
@require_http_methods(["GET", "POST"])
@limited("booking_change", method=ALL)
@with_current_appointment
def cancel(request, appointment):
    # GET only asks: mail scanners follow links, and must not cancel anyone's visit.
    context = _appointment_context(appointment)
    if request.method == "POST" and appointment.is_active:
        try:
            services.cancel_appointment(appointment=appointment, by_patient=True)
        except services.BookingError as exc:
            context["problem"] = exc.message
        else:
            messages.success(request, "Your appointment is cancelled. We sent you an email to confirm it.")
            return redirect("booking:manage", token=appointment.token)
    return render(request, "appointments/cancel.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@limited("booking_change", method=ALL)
@with_current_appointment
def reschedule(request, appointment):
    now = timezone.now()
    context = _appointment_context(appointment)
    if not context["can_change"]:
        return render(request, "appointments/manage.html", context)
    new_start_value = request.POST.get("start") or request.GET.get("start")
    if new_start_value:
        return _confirm_reschedule(request, appointment, new_start_value, now, context)
    specialist = _reschedule_specialist(request, appointment)
    rules = BookingRules.current()
    first_day = _first_day(request.GET.get("from"), appointment.clinic, now, rules)
    days, next_day = _days_with_times(appointment.clinic, specialist, now, first_day, rules)
    context.update(
        days=days,
        specialist_filter=specialist,
        zone=zone_label(appointment.clinic.timezone, now.astimezone(appointment.clinic.tz)),
        later_url=f"?{_query(request, **{'from': next_day.isoformat()})}" if next_day else None,
    )
    return render(request, "appointments/reschedule.html", context)


def _reschedule_specialist(request, appointment):
    if request.GET.get("specialist") == "any":
        return None
    return appointment.specialist


def _confirm_reschedule(request, appointment, value, now, context):
    specialist = _specialist_or_404(request.POST.get("specialist") or request.GET.get("specialist"))
    start, problem = availability.check_start(value, clinic=appointment.clinic, specialist=specialist, now=now)
    if problem and start == appointment.start:
        problem = "That is the time you already have. Please choose a different one."
    if not problem and request.method == "POST":
        try:
            services.reschedule_appointment(
                appointment=appointment, start=start, specialist=specialist, by_patient=True
            )
        except services.BookingError as exc:
            problem = exc.message
        else:
            messages.success(request, "Your appointment has moved. We sent you an email with the new time.")
            return redirect("booking:manage", token=appointment.token)
    local = start.astimezone(appointment.clinic.tz) if start else None
    context.update(
        new_when=format_when(local) if local and not problem else None,
        new_start=local.isoformat() if local else "",
        new_specialist=specialist,
        problem=problem,
        # Moving into the cut-off is allowed, but the patient must know before they confirm.
        phone_only_after=bool(local) and not problem and local - now < BookingRules.current().change_cutoff,
    )
    return render(request, "appointments/reschedule_confirm.html", context, status=200)


def _appointment_context(appointment):
    rules = BookingRules.current()
    can_change = services.can_change_online(appointment)
    return {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "when": format_when(appointment.start_local),
        "can_change": can_change,
        "inside_cutoff": appointment.status in services.OPEN_STATUSES and not can_change,
        "cutoff_hours": rules.change_cutoff_hours,
        "change_deadline": format_when(services.online_change_deadline(appointment).astimezone(appointment.clinic.tz)),
    }


@require_GET
@with_current_appointment
def calendar_file(request, appointment):
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="armor-pt-{appointment.reference}.ics"'
    return response


# --- JSON: free times for one day -------------------------------------------------------------


def _api_version(request):
    clinic = request.GET.get("clinic", "")
    # Only a real-looking slug names a version key; anything else answers an error, never cached.
    return slotcache.page_version(request, clinic) if _is_slug(clinic) else "no-clinic"


# The limit guards the computation: an answer from cache costs a lookup, and is not counted.
@require_GET
@cache_public_page(vary=_api_version)
@limited("slots_api", method="GET")
def api_slots(request):
    clinic_slug, day_value = request.GET.get("clinic", ""), request.GET.get("date", "")
    if not clinic_slug or not day_value:
        return _api_error("Give both clinic=<slug> and date=YYYY-MM-DD.", 400)
    try:
        day = dt.date.fromisoformat(day_value)
    except ValueError:
        return _api_error("date must look like 2026-11-24.", 400)
    clinic = Clinic.objects.active().filter(slug=clinic_slug).first() if _is_slug(clinic_slug) else None
    if clinic is None:
        return _api_error(f"No clinic called “{clinic_slug[:60]}”.", 404)
    specialist = None
    if slug := request.GET.get("specialist"):
        specialist = Specialist.objects.bookable().filter(slug=slug).first() if _is_slug(slug) else None
        if specialist is None:
            return _api_error(f"No specialist called “{slug[:60]}”.", 404)
    return JsonResponse(_day_slots(clinic, specialist, day))


def _day_slots(clinic, specialist, day):
    now = timezone.now()
    horizon_end = availability.local_today(clinic, now) + dt.timedelta(days=BookingRules.current().horizon_days)
    slots = []
    if availability.local_today(clinic, now) <= day <= horizon_end and (visit := availability.online_type()):
        slots, _ = slotcache.free_days(
            clinic, now=now, first_day=day, days=1, appointment_type=visit, specialist=specialist
        )
    people = {s.pk: s for s in Specialist.objects.filter(pk__in={i for slot in slots for i in slot.specialist_ids})}
    return {
        "clinic": clinic.slug,
        "date": day.isoformat(),
        "timezone": clinic.timezone,
        "slots": [
            {
                "start": slot.start.astimezone(clinic.tz).isoformat(),
                "specialists": [{"slug": people[i].slug, "name": people[i].name} for i in slot.specialist_ids],
            }
            for slot in slots
        ],
    }


def _api_error(message, status):
    return JsonResponse({"error": message}, status=status)


# --- Small helpers ---------------------------------------------------------------------------


def _is_slug(value):
    # Checked before any query: PostgreSQL refuses a NUL byte in a string outright.
    return bool(value) and len(value) <= 50 and slug_re.match(value) is not None


def _specialist_or_404(slug):
    if not slug:
        return None
    if not _is_slug(slug):
        raise Http404("No such specialist.")
    return get_object_or_404(Specialist.objects.bookable().prefetch_related("credentials"), slug=slug)


def _reason(request):
    value = request.GET.get("reason", "")
    return value if value in REASONS else ""


def _carry(request, specialist=None):
    """The query string step 1 hands on to step 2 (specialist, reason)."""
    params = {}
    if specialist:
        params["specialist"] = specialist.slug
    if reason := _reason(request):
        params["reason"] = reason
    return urlencode(params)


def _query(request, **changes):
    params = {k: v for k, v in request.GET.items() if k in ("specialist", "reason", "from", "sort")}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)
