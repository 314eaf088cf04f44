"""The day and week schedules of one clinic.

Each reads a constant number of queries whatever the number of appointments, and sees only
the clinics of the user (clinics.selectors.staff_clinics). The day view is where the front desk
acts: a free half-hour books a caller, and each visit carries its status buttons, which post to
the appointment admin's status and cancel views and come back to the same day (`next`).
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import PermissionDenied
from django.db.models import F, Min
from django.db.models.functions import Lower
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from appointments import availability, services
from appointments.admin.forms import ScheduleForm
from appointments.availability import local_midnight
from appointments.models import Appointment, TimeOff, WaitlistEntry, WorkingHours
from appointments.timefmt import format_day, format_time
from clinics.models import ClinicClosure, Specialist

UTC = dt.UTC
Status = Appointment.Status
DAY = dt.timedelta(days=1)
HALF_HOUR = 30

# The status buttons of a visit on the day view, in the order a visit goes through them.
DAY_ACTIONS = {
    Status.CONFIRMED: "Confirm",
    Status.ARRIVED: "Arrived",
    Status.COMPLETED: "Completed",
    Status.NO_SHOW: "No-show",
}
# Reasons offered as you type in the day view's cancel form; any other text is fine too.
CANCEL_REASONS = ["Patient called to cancel", "Patient is unwell", "Specialist is away", "Booked by mistake"]
# More visits than this in a cell of the week view: the count instead of the names.
WEEK_NAMES_MAX = 4


def changelist_url(**params):
    return reverse("admin:appointments_appointment_changelist") + ("?" + urlencode(params) if params else "")


def _schedule_context(model_admin, request, title):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = ScheduleForm(request.GET or None, user=request.user)
    clinic, day = form.values(None)
    if clinic is None:
        raise Http404("You are not set up for any clinic yet; ask the practice owner.")
    if request.GET.get("clinic") and request.GET["clinic"] != clinic.slug:
        raise Http404("No such clinic among yours.")
    now = timezone.now()
    today = now.astimezone(clinic.tz).date()  # the clinic's today: its evening may be tomorrow in UTC
    day = day or today
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
            "now": now,
            "today": today,
            "form": form,
            "can_add": model_admin.has_add_permission(request),
        },
    )


# --- Day view ------------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # visit, free, past, buffer, away, closed, off (not working)
    start: dt.datetime
    end: dt.datetime
    rows: int = 1
    appointment: Appointment | None = None
    overlapping: list = field(default_factory=list)
    note: str = ""
    add_url: str = ""
    offer_url: str = ""  # offer the free time from here to the end of the block to the waitlist

    span: str = ""
    who: str = ""

    @property
    def label(self):
        return {
            "free": "Free",
            "past": "Past",
            "buffer": "Buffer after a visit",
            "away": "Time off",
            "closed": "Closed",
        }.get(self.kind, "")

    @property
    def start_ms(self):
        return int(self.start.timestamp() * 1000)


@dataclass
class Row:
    start: dt.datetime
    label: str
    cells: list
    is_hour: bool = False
    now: dict | None = None  # the "now" line, on the row the current time falls in

    @property
    def start_ms(self):
        return int(self.start.timestamp() * 1000)


def day_view(model_admin, request):
    clinic, day, context = _schedule_context(model_admin, request, "Day schedule")
    here = schedule_url("day", clinic, day)
    grid = DayGrid(
        clinic,
        day,
        can_book=context["can_add"],
        can_offer=can_offer_to_waitlist(request, clinic),
        can_change=model_admin.has_change_permission(request),
        now=context["now"],
        back_url=here,
    ).build()
    book_query = {"clinic": clinic.pk, "day": day} if day >= context["today"] else {"clinic": clinic.pk}
    book_query["next"] = here
    context.update(
        grid=grid,
        here=here,
        cancel_reasons=CANCEL_REASONS,
        subtitle=f"{clinic.name}, {format_day(dt.datetime.combine(day, dt.time()))}, {day.year}",
        previous_url=schedule_url("day", clinic, day - DAY),
        next_url=schedule_url("day", clinic, day + DAY),
        today_url=schedule_url("day", clinic, context["today"]),
        week_url=schedule_url("week", clinic, day),
        list_url=changelist_url(clinic__id__exact=clinic.pk, when="all", **_day_params(day)),
        book_url=reverse("admin:appointments_appointment_add") + "?" + urlencode(book_query),
    )
    return TemplateResponse(request, "admin/appointments/appointment/day.html", context)


def can_offer_to_waitlist(request, clinic):
    """The day view's free blocks link to "offer to the waitlist" when the user may, and someone waits."""
    may = request.user.has_perm("appointments.change_waitlistentry")
    return may and WaitlistEntry.objects.waiting().filter(clinic=clinic).exists()


def schedule_url(view, clinic, day):
    return reverse(f"admin:appointments_appointment_{view}") + "?" + urlencode({"clinic": clinic.slug, "date": day})


def day_view_return(request):
    """The day view a button on it asked to come back to (`next`), or None for anything else.

    Only a day view of this site: a `next` from a link someone was sent can never lead away.
    """
    url = request.GET.get("next") or request.POST.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    parts = urlsplit(url)
    if safe and not parts.scheme and not parts.netloc and parts.path == reverse("admin:appointments_appointment_day"):
        return url
    return None


def _day_params(day):
    return {"start__year": day.year, "start__month": day.month, "start__day": day.day}


def returning_patients(visits):
    """The pks of the visits whose patient (same email or phone: models.same_person) came before.

    A visit is "returning" when the same person has an earlier visit that was not cancelled.
    Two queries for the whole day, each one row per email or phone, however long the history.
    """
    emails = {v.email.lower() for v in visits if v.email}
    phones = {str(v.phone) for v in visits if v.phone}
    earlier = Appointment.objects.active().order_by()
    first_by_email = dict(
        earlier.annotate(address=Lower("email"))
        .filter(address__in=emails)
        .values("address")
        .annotate(first=Min("start"))
        .values_list("address", "first")
        if emails
        else []
    )
    first_by_phone = dict(
        earlier.filter(phone__in=phones).values("phone").annotate(first=Min("start")).values_list("phone", "first")
        if phones
        else []
    )
    returning = set()
    for visit in visits:
        firsts = [first_by_email.get(visit.email.lower()) if visit.email else None]
        firsts.append(first_by_phone.get(str(visit.phone)) if visit.phone else None)
        if any(first is not None and first < visit.start for first in firsts):
            returning.add(visit.pk)
    return returning


class DayGrid:
    """One clinic's day as table rows: a column per specialist, a row per step of local time."""

    def __init__(self, clinic, day, *, can_book, can_offer=False, can_change=False, now=None, back_url=""):
        self.clinic, self.day, self.tz, self.can_book, self.can_offer = clinic, day, clinic.tz, can_book, can_offer
        self.can_change, self.back_url = can_change, back_url
        self.now = now or timezone.now()
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
        returning = returning_patients(active) if active else set()
        for visit in active:
            visit.returning = visit.pk in returning
            visit.day_actions = self._actions(visit)
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
        now_line = self._now_line() if columns else None
        rows = [
            Row(
                start,
                self._row_label(start),
                [column[i] for column in grid_columns],
                self._local(start).minute == 0,
                now=now_line if now_line and now_line["row"] == i else None,
            )
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
            "now": now_line,
            "end_ms": int(self.last.timestamp() * 1000),
        }

    def _actions(self, visit):
        """What the front desk may do to this visit from the day view: the status changes the
        service allows from its status (services.TRANSITIONS), less those its time refuses yet."""
        if not self.can_change:
            return None
        back = urlencode({"next": self.back_url})
        statuses = [
            (status, label)
            for status, label in DAY_ACTIONS.items()
            if visit.status in services.TRANSITIONS[status] and self._in_time_for(visit, status)
        ]
        is_open = visit.status in services.OPEN_STATUSES
        return {
            "statuses": statuses,
            "status_url": reverse("admin:appointments_appointment_status", args=[visit.pk]) + "?" + back,
            "cancel_url": reverse("admin:appointments_appointment_cancel", args=[visit.pk]) + "?" + back
            if is_open
            else "",
            "move_url": reverse("admin:appointments_appointment_reschedule", args=[visit.pk]) + "?" + back
            if is_open
            else "",
        }

    def _in_time_for(self, visit, status):
        # The buttons services.change_status would refuse for the time (_check_timing) are not offered:
        # "Arrived" from three hours before, "No-show" and "Completed" once the visit has started.
        if status == Status.ARRIVED:
            return self.now >= visit.start - services.EARLIEST_ARRIVAL
        if status in (Status.COMPLETED, Status.NO_SHOW):
            return self.now >= visit.start
        return True

    def _now_line(self):
        """Where "now" is drawn: the row it falls in and how far down it (in tenths), on today only."""
        if not self.day_start <= self.now < self.day_end:
            return None
        moment = min(max(self.now, self.first), self.last)
        row = min(self._row(moment, up=False), len(self.row_starts) - 1)
        elapsed = (moment - self.row_starts[row]).total_seconds() / (self.step * 60)
        return {
            "row": row,
            "tenths": min(10, int(elapsed * 10)),
            "label": format_time(self._local(self.now)),
            "ms": int(self.now.timestamp() * 1000),
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
        for i, start in enumerate(self.row_starts):
            # Free time that has begun can no longer be booked or offered: today's starts from now.
            if kinds[i] == "free" and start < self.now:
                kinds[i] = "past"
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
            if kinds[i] == "free":
                self._free_cells(specialist, cells, i, j)
            else:
                self._merge(cells, Cell(kinds[i], self.row_starts[i], self._row_end(j), j - i, note=notes[i]), i)
            i = j
        for cell in cells:
            if cell:
                cell.who = specialist.name
                cell.span = f"{format_time(self._local(cell.start))}–{format_time(self._local(cell.end))}"
        # False: covered by a cell above (rowspan); the template skips it.
        return [cell or None for cell in cells]

    def _free_cells(self, specialist, cells, i, j):
        """Free rows i..j-1 as one cell per half-hour of the clock, each a link to book at its start.
        The first also offers the whole free stretch to the waitlist."""
        k = i
        while k < j:
            m = next((m for m in range(k + 1, j) if self._local(self.row_starts[m]).minute % HALF_HOUR == 0), j)
            cell = Cell("free", self.row_starts[k], self._row_end(m), m - k)
            if self.can_book:
                cell.add_url = self._book_url(specialist, cell.start)
            if self.can_offer and k == i:
                cell.offer_url = self._offer_url(specialist, cell.start, self._row_end(j))
            self._merge(cells, cell, k)
            k = m

    def _merge(self, cells, cell, top):
        cells[top] = cell
        for k in range(top + 1, top + cell.rows):
            cells[k] = False

    def _row_end(self, j):
        return self.row_starts[j] if j < len(self.row_starts) else self.last

    def _local(self, instant):
        return instant.astimezone(self.tz)

    def _book_url(self, specialist, start):
        local = start.astimezone(self.tz)
        query = {"clinic": self.clinic.pk, "specialist": specialist.pk, "day": local.date(), "time": f"{local:%H:%M}"}
        # Booked, the desk lands back on this day, where the new visit now fills the half-hour.
        return reverse("admin:appointments_appointment_add") + "?" + urlencode({**query, "next": self.back_url})

    def _offer_url(self, specialist, start, end):
        query = {
            "clinic": self.clinic.pk,
            "specialist": specialist.pk,
            "from": start.isoformat(),
            "until": end.isoformat(),
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
    week = WeekGrid(clinic, days, now=context["now"]).build()
    context.update(
        subtitle=f"{clinic.name}, week of {format_day(dt.datetime.combine(monday, dt.time()))}, {monday.year}",
        days=[
            {
                "date": d,
                "url": schedule_url("day", clinic, d),
                "total": week["totals"][d],
                "waiting": week["waiting"][d],
                "closed": d in week["closed"],
                "is_today": d == context["today"],
            }
            for d in days
        ],
        rows=week["rows"],
        total=week["total"],
        previous_url=schedule_url("week", clinic, monday - 7 * DAY),
        next_url=schedule_url("week", clinic, monday + 7 * DAY),
        today_url=schedule_url("week", clinic, context["today"]),
        day_url=schedule_url("day", clinic, day),
    )
    return TemplateResponse(request, "admin/appointments/appointment/week.html", context)


class WeekGrid:
    """A week at one clinic: per specialist and day, who comes and how much free time is left.

    Five queries whatever the number of visits. Free time is working hours less visits (with
    their buffer), time off and closures, and, today, less what has already gone by.
    """

    def __init__(self, clinic, days, *, now):
        self.clinic, self.days, self.tz, self.now = clinic, days, clinic.tz, now
        self.start, self.end = local_midnight(days[0], self.tz), local_midnight(days[-1] + DAY, self.tz)

    def build(self):
        clinic, tz = self.clinic, self.tz
        visits = list(
            Appointment.objects.active()
            .filter(clinic=clinic)
            .overlapping(self.start, self.end)
            .annotate(buffer=F("appointment_type__buffer_after_minutes"))
            .order_by("start")
            .values("specialist_id", "start", "end", "status", "first_name", "last_name", "buffer")
        )
        hours = list(
            WorkingHours.objects.filter(clinic=clinic, specialist__is_active=True).values_list(
                "specialist_id", "weekday", "start_time", "end_time"
            )
        )
        ids = {sid for sid, *_ in hours} | {v["specialist_id"] for v in visits}
        away = list(
            TimeOff.objects.filter(specialist__in=ids)
            .overlapping(self.start, self.end)
            .values_list("specialist_id", "start", "end")
        )
        self.closed = set(
            ClinicClosure.objects.filter(clinic=clinic, date__in=self.days).values_list("date", flat=True)
        )
        specialists = list(Specialist.objects.filter(pk__in=ids).order_by("display_order", "name"))

        names = defaultdict(list)  # (specialist, day) -> the names of the visits starting that day
        busy = defaultdict(list)  # specialist -> (start, end) they cannot be booked
        waiting = Counter()
        in_week = [v for v in visits if self.start <= v["start"] < self.end]
        for v in in_week:
            local_day = v["start"].astimezone(tz).date()
            names[v["specialist_id"], local_day].append(f"{v['first_name']} {v['last_name']}".strip())
            waiting[local_day] += v["status"] == Status.REQUESTED
        for v in visits:
            busy[v["specialist_id"]].append((v["start"], v["end"] + dt.timedelta(minutes=v["buffer"])))
        for sid, start, end in away:
            busy[sid].append((start, end))
        blocks = defaultdict(list)  # (specialist, weekday) -> wall-clock working blocks
        for sid, weekday, start, end in hours:
            blocks[sid, weekday].append((start, end))

        rows = []
        for person in specialists:
            cells = []
            for d in self.days:
                works = bool(blocks[person.pk, d.weekday()])
                who = names[person.pk, d]
                free = self._free_minutes(blocks[person.pk, d.weekday()], d, busy[person.pk]) if works else 0
                cells.append(
                    {
                        "day": d,
                        "works": works,
                        "count": len(who),
                        "names": who if len(who) <= WEEK_NAMES_MAX else [],
                        "free": free,
                        "free_label": free_label(free) if works and self._still_open(d) else "",
                        "url": schedule_url("day", self.clinic, d),
                    }
                )
            rows.append({"specialist": person, "cells": cells, "total": sum(c["count"] for c in cells)})
        return {
            "rows": rows,
            "total": len(in_week),
            "totals": Counter(v["start"].astimezone(tz).date() for v in in_week),
            "waiting": waiting,
            "closed": self.closed,
        }

    def _still_open(self, day):
        """Not closed, and not over yet: a past day has no free time to tell."""
        return day not in self.closed and local_midnight(day + DAY, self.tz) > self.now

    def _free_minutes(self, blocks, day, busy):
        """Minutes of the working blocks that day that are neither taken nor gone by."""
        if day in self.closed:
            return 0
        total = 0
        for start_time, end_time in blocks:
            start = availability.local_instant(day, start_time, self.tz) or dt.datetime.combine(
                day, start_time, self.tz
            ).astimezone(UTC)
            end = dt.datetime.combine(day, end_time, self.tz).astimezone(UTC)
            start = max(start, self.now)
            total += _minutes_left(start, end, busy)
        return total


def _minutes_left(start, end, busy):
    """Minutes of [start, end) that no (from, until) in `busy` covers."""
    if end <= start:
        return 0
    left, cursor = 0.0, start
    for taken_from, taken_until in sorted(b for b in busy if b[0] < end and b[1] > start):
        if taken_from > cursor:
            left += (taken_from - cursor).total_seconds()
        cursor = max(cursor, taken_until)
        if cursor >= end:
            break
    if cursor < end:
        left += (end - cursor).total_seconds()
    return int(left // 60)


def free_label(minutes):
    """'2 h 30 free', '45 min free', '3 h free', 'No free time left'."""
    if minutes <= 0:
        return "No free time left"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min free"
    return f"{hours} h {rest:02d} free" if rest else f"{hours} h free"
