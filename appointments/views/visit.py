"""A booked visit's own pages, reached by its signed link: confirmation, manage, cancel, reschedule, calendar."""

import datetime as dt
from functools import wraps
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from appointments import availability, services
from appointments.calendar import appointment_ics
from appointments.models import Appointment, BookingRules
from appointments.timefmt import format_day, format_time, format_when, zone_label
from appointments.views.common import query_with, specialist_or_404
from armorpt.ratelimits import ALL, limited

DAYS_PER_PAGE = 14  # days searched per page of times
DAYS_SHOWN = 5  # days with free times shown per page


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
            messages.success(request, _("Your appointment is cancelled. We sent you an email to confirm it."))
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
        later_url=f"?{query_with(request, **{'from': next_day.isoformat()})}" if next_day else None,
    )
    return render(request, "appointments/reschedule.html", context)


def _reschedule_specialist(request, appointment):
    if request.GET.get("specialist") == "any":
        return None
    return appointment.specialist


def _confirm_reschedule(request, appointment, value, now, context):
    specialist = specialist_or_404(request.POST.get("specialist") or request.GET.get("specialist"))
    start, problem = availability.check_start(value, clinic=appointment.clinic, specialist=specialist, now=now)
    if problem and start == appointment.start:
        problem = _("That is the time you already have. Please choose a different one.")
    if not problem and request.method == "POST":
        try:
            services.reschedule_appointment(
                appointment=appointment, start=start, specialist=specialist, by_patient=True
            )
        except services.BookingError as exc:
            problem = exc.message
        else:
            messages.success(request, _("Your appointment has moved. We sent you an email with the new time."))
            return redirect("booking:manage", token=appointment.token)
    local = start.astimezone(appointment.clinic.tz) if start else None
    context.update(
        new_when=format_when(local) if local and not problem else None,
        new_start=local.isoformat() if local else "",
        new_specialist=specialist,
        problem=problem,
        # Moving into the cut-off is allowed, but the patient must know before they confirm.
        phone_only_after=bool(local) and not problem and now > services.online_change_deadline(start),
    )
    return render(request, "appointments/reschedule_confirm.html", context, status=200)


def _appointment_context(appointment):
    rules = BookingRules.current()
    can_change = services.can_change_online(appointment, rules=rules)
    return {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "when": format_when(appointment.start_local),
        "can_change": can_change,
        "inside_cutoff": appointment.status in services.OPEN_STATUSES and not can_change,
        "cutoff_hours": rules.change_cutoff_hours,
        "change_deadline": format_when(
            services.online_change_deadline(appointment.start, rules=rules).astimezone(appointment.clinic.tz)
        ),
    }


@require_GET
@with_current_appointment
def calendar_file(request, appointment):
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="armor-pt-{appointment.reference}.ics"'
    return response


# --- The reschedule page's list of days ---------------------------------------------------------


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
