"""The day and week schedules of one clinic.

Each reads a constant number of queries whatever the number of appointments, and sees only
the clinics of the user (clinics.selectors.staff_clinics).
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from appointments import availability
from appointments.admin.forms import ScheduleForm
from appointments.availability import local_midnight
from appointments.models import Appointment, TimeOff, WaitlistEntry, WorkingHours
from appointments.timefmt import format_day, format_time
from clinics.models import ClinicClosure, Specialist

UTC = dt.UTC
Status = Appointment.Status
DAY = dt.timedelta(days=1)


def changelist_url(**params):
    return reverse("admin:appointments_appointment_changelist") + ("?" + urlencode(params) if params else "")


def _schedule_context(model_admin, request, title):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = ScheduleForm(request.GET or None, user=request.user)
    clinic, day = form.values(timezone.localdate())
    if clinic is None:
        raise Http404("You are not set up for any clinic yet; ask the practice owner.")
    if request.GET.get("clinic") and request.GET["clinic"] != clinic.slug:
        raise Http404("No such clinic among yours.")
    # Unbound, showing what is on screen, so that it renders without validating again.
    form = ScheduleForm(user=request.user, initial={"clinic": clinic, "date": day})
    return (
        clinic,
        day,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": title,
            "clinic": clinic,
            "day": day,
            "form": form,
            "can_add": model_admin.has_add_permission(request),
        },
    )


# --- Day view ------------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # visit, free, buffer, away, closed, off (not working)
    start: dt.datetime
    end: dt.datetime
    rows: int = 1
    appointment: Appointment | None = None
    overlapping: list = field(default_factory=list)
    note: str = ""
    add_url: str = ""
    offer_url: str = ""  # offer a time of this free block to the waitlist

    span: str = ""
    who: str = ""

    @property
    def label(self):
        return {"free": "Free", "buffer": "Buffer after a visit", "away": "Time off", "closed": "Closed"}.get(
            self.kind, ""
        )


@dataclass
class Row:
    start: dt.datetime
    label: str
    cells: list
    is_hour: bool = False


def day_view(model_admin, request):
    clinic, day, context = _schedule_context(model_admin, request, "Day schedule")
    grid = DayGrid(clinic, day, can_book=context["can_add"], can_offer=can_offer_to_waitlist(request, clinic)).build()
    context.update(
        grid=grid,
        subtitle=f"{clinic.name}, {format_day(dt.datetime.combine(day, dt.time()))}, {day.year}",
        previous_url=schedule_url("day", clinic, day - DAY),
        next_url=schedule_url("day", clinic, day + DAY),
        today_url=schedule_url("day", clinic, timezone.localdate()),
        week_url=schedule_url("week", clinic, day),
        list_url=changelist_url(clinic__id__exact=clinic.pk, when="all", **_day_params(day)),
    )
    return TemplateResponse(request, "admin/appointments/appointment/day.html", context)


def can_offer_to_waitlist(request, clinic):
    """The day view's free blocks link to "offer to the waitlist" when the user may, and someone waits."""
    may = request.user.has_perm("appointments.change_waitlistentry")
    return may and WaitlistEntry.objects.waiting().filter(clinic=clinic).exists()


def schedule_url(view, clinic, day):
    return reverse(f"admin:appointments_appointment_{view}") + "?" + urlencode({"clinic": clinic.slug, "date": day})


def _day_params(day):
    return {"start__year": day.year, "start__month": day.month, "start__day": day.day}


class DayGrid:
    """One clinic's day as table rows: a column per specialist, a row per step of local time."""

    def __init__(self, clinic, day, *, can_book, can_offer=False):
        self.clinic, self.day, self.tz, self.can_book, self.can_offer = clinic, day, clinic.tz, can_book, can_offer
        self.day_start, self.day_end = local_midnight(day, self.tz), local_midnight(day + DAY, self.tz)

    def build(self):
        hours = list(
            WorkingHours.objects.filter(clinic=self.clinic, weekday=self.day.weekday(), specialist__is_active=True)
            .select_related("specialist")
            .order_by("start_time")
        )
        visits = list(
            Appointment.objects.filter(clinic=self.clinic)
            .overlapping(self.day_start, self.day_end)
            .select_related("specialist", "appointment_type")
            .order_by("start")
        )
        active = [a for a in visits if a.is_active]
        specialists = {h.specialist_id: h.specialist for h in hours} | {a.specialist_id: a.specialist for a in active}
        columns = sorted(specialists.values(), key=lambda s: (s.display_order, s.name))
        away = defaultdict(list)
        for off in TimeOff.objects.filter(specialist__in=list(specialists)).overlapping(self.day_start, self.day_end):
            away[off.specialist_id].append(off)
        self.closure = ClinicClosure.objects.filter(clinic=self.clinic, date=self.day).first()

        blocks = defaultdict(list)
        for h in hours:
            start = availability.local_instant(self.day, h.start_time, self.tz) or self._after_gap(h.start_time)
            blocks[h.specialist_id].append((start, dt.datetime.combine(self.day, h.end_time, self.tz).astimezone(UTC)))
        self._frame(blocks, active)
        grid_columns = [
            self._column(s, blocks[s.pk], [a for a in active if a.specialist_id == s.pk], away[s.pk]) for s in columns
        ]
        rows = [
            Row(start, self._row_label(start), [column[i] for column in grid_columns], self._local(start).minute == 0)
            for i, start in enumerate(self.row_starts)
        ]
        return {
            "columns": columns,
            "rows": rows,
            "step": self.step,
            "closure": self.closure,
            "cancelled": [a for a in visits if not a.is_active],
            "visit_count": len(active),
            "zone": self.day_start.astimezone(self.tz).tzname(),
            "empty": not columns,
        }

    def _after_gap(self, time):
        # A block that starts inside the skipped hour of spring-forward starts when the clocks resume.
        return dt.datetime.combine(self.day, time, self.tz).astimezone(UTC)

    def _frame(self, blocks, visits):
        """The first and last row (whole local hours) and the row height in minutes."""
        edges = [t for spans in blocks.values() for span in spans for t in span]
        edges += [max(a.start, self.day_start) for a in visits] + [min(a.end, self.day_end) for a in visits]
        default = [
            availability.local_instant(self.day, dt.time(8), self.tz),
            availability.local_instant(self.day, dt.time(17), self.tz),
        ]
        first = min(edges + [t for t in default if t])
        last = max(edges + [t for t in default if t])
        first = first - dt.timedelta(minutes=first.astimezone(self.tz).minute)
        last_minute = last.astimezone(self.tz).minute
        last = last + dt.timedelta(minutes=(60 - last_minute) % 60)
        first, last = max(first, self.day_start), min(last, self.day_end)
        minutes = {int((t - first).total_seconds() // 60) for t in edges}
        self.step = next(s for s in (30, 15, 10, 5) if s == 5 or all(m % s == 0 for m in minutes))
        step = dt.timedelta(minutes=self.step)
        self.row_starts = []
        row = first
        while row < last:
            self.row_starts.append(row)
            row += step
        self.first, self.last = first, last

    def _row(self, instant, *, up):
        """The row an instant falls in (rounded down, or up for an end), clipped to the grid."""
        seconds = (instant - self.first).total_seconds()
        step = self.step * 60
        index = int(-(-seconds // step) if up else seconds // step)
        return max(0, min(index, len(self.row_starts)))

    def _column(self, specialist, blocks, visits, away):
        n = len(self.row_starts)
        kinds = ["off"] * n
        notes = [""] * n
        for start, end in blocks:
            for i in range(self._row(start, up=False), self._row(end, up=True)):
                kinds[i] = "closed" if self.closure else "free"
        for visit in visits:
            buffer_end = visit.end + visit.appointment_type.buffer_after
            for i in range(self._row(visit.end, up=False), self._row(buffer_end, up=True)):
                if kinds[i] == "free":
                    kinds[i] = "buffer"
        for off in away:
            for i in range(self._row(off.start, up=False), self._row(off.end, up=True)):
                kinds[i], notes[i] = "away", off.reason
        cells = [None] * n
        taken = {}  # row -> the visit cell covering it
        for visit in visits:
            top = min(self._row(visit.start, up=False), n - 1)
            bottom = max(self._row(visit.end, up=True), top + 1)
            owner = next((taken[i] for i in range(top, min(bottom, n)) if i in taken), None)
            if owner is not None:  # Two active visits at once: shown together, never hidden.
                owner.overlapping.append(visit)
                continue
            cell = Cell("visit", visit.start, visit.end, min(bottom, n) - top, appointment=visit)
            cells[top] = cell
            for i in range(top, min(bottom, n)):
                taken[i] = cell
                if i > top:
                    cells[i] = False
        i = 0
        while i < n:
            if cells[i] is not None:
                i += 1
                continue
            j = i
            while j < n and cells[j] is None and kinds[j] == kinds[i] and notes[j] == notes[i]:
                j += 1
            end = self.row_starts[j] if j < n else self.last
            cells[i] = Cell(kinds[i], self.row_starts[i], end, j - i, note=notes[i])
            if kinds[i] == "free" and self.can_book:
                cells[i].add_url = self._book_url(specialist, self.row_starts[i])
            if kinds[i] == "free" and self.can_offer:
                cells[i].offer_url = self._offer_url(specialist, cells[i])
            for k in range(i + 1, j):
                cells[k] = False
            i = j
        for cell in cells:
            if cell:
                cell.who = specialist.name
                cell.span = f"{format_time(self._local(cell.start))}–{format_time(self._local(cell.end))}"
        # False: covered by a cell above (rowspan); the template skips it.
        return [cell or None for cell in cells]

    def _local(self, instant):
        return instant.astimezone(self.tz)

    def _book_url(self, specialist, start):
        local = start.astimezone(self.tz)
        query = {"clinic": self.clinic.pk, "specialist": specialist.pk, "day": local.date(), "time": f"{local:%H:%M}"}
        return reverse("admin:appointments_appointment_add") + "?" + urlencode(query)

    def _offer_url(self, specialist, cell):
        query = {
            "clinic": self.clinic.pk,
            "specialist": specialist.pk,
            "from": cell.start.isoformat(),
            "until": cell.end.isoformat(),
        }
        return reverse("admin:appointments_waitlistentry_offer") + "?" + urlencode(query)

    def _row_label(self, start):
        local = self._local(start)
        return format_time(local) if local.minute in (0, 30) else ""


# --- Week view -----------------------------------------------------------------------------


def week_view(model_admin, request):
    clinic, day, context = _schedule_context(model_admin, request, "Week schedule")
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    start, end = local_midnight(monday, clinic.tz), local_midnight(monday + 7 * DAY, clinic.tz)
    visits = list(
        Appointment.objects.active()
        .filter(clinic=clinic, start__gte=start, start__lt=end)
        .values_list("specialist_id", "start", "status")
    )
    counts = Counter((sid, s.astimezone(clinic.tz).date()) for sid, s, _ in visits)
    waiting = Counter(s.astimezone(clinic.tz).date() for _, s, status in visits if status == Status.REQUESTED)
    working = set(
        WorkingHours.objects.filter(clinic=clinic, specialist__is_active=True).values_list("specialist_id", "weekday")
    )
    ids = {sid for sid, _ in working} | {sid for sid, _, _ in visits}
    specialists = list(Specialist.objects.filter(pk__in=ids).order_by("display_order", "name"))
    rows = [
        {
            "specialist": person,
            "cells": [
                {"count": counts[person.pk, d], "works": (person.pk, d.weekday()) in working, "day": d} for d in days
            ],
            "total": sum(counts[person.pk, d] for d in days),
        }
        for person in specialists
    ]
    context.update(
        subtitle=f"{clinic.name}, week of {format_day(dt.datetime.combine(monday, dt.time()))}, {monday.year}",
        days=[
            {
                "date": d,
                "url": schedule_url("day", clinic, d),
                "total": sum(counts[p.pk, d] for p in specialists),
                "waiting": waiting[d],
            }
            for d in days
        ],
        rows=rows,
        total=len(visits),
        previous_url=schedule_url("week", clinic, monday - 7 * DAY),
        next_url=schedule_url("week", clinic, monday + 7 * DAY),
        today_url=schedule_url("week", clinic, timezone.localdate()),
        day_url=schedule_url("day", clinic, day),
    )
    return TemplateResponse(request, "admin/appointments/appointment/week.html", context)
