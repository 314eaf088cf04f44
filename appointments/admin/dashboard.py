"""The admin index's dashboard: today per clinic, emails that failed, bookings per week."""

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from appointments import notifications, weekly
from appointments.admin.schedule import changelist_url, schedule_url
from appointments.availability import local_midnight
from appointments.models import Appointment
from appointments.timefmt import format_short, format_time
from armorpt.models import OutboundEmail
from clinics.selectors import staff_clinics

UTC = dt.UTC
Status = Appointment.Status
DAY = dt.timedelta(days=1)


WEEKS = 8
# Every admin page opens on the index: a minute-old count is fine, recounting on each visit is not.
DASHBOARD_SECONDS = 60
# More lines than this cannot be told apart: the busiest clinics, and the rest as one line.
CHART_LINES = 6


def dashboard(request):
    """What the admin index shows a user who can see appointments; None for anyone else."""
    appointment_admin = admin.site.get_model_admin(Appointment)
    if not appointment_admin.has_view_permission(request):
        return None
    # Per user (what it counts depends on their clinics and permissions) and per minute of the clock.
    minute = int(timezone.now().timestamp() // DASHBOARD_SECONDS)
    key = f"dashboard:{request.user.pk}:{minute}"
    return cache.get_or_set(key, lambda: _dashboard(request), DASHBOARD_SECONDS)


def _dashboard(request):
    now = timezone.now()
    # Only what the dashboard shows of a clinic: for hundreds, whole rows (phone numbers parsed and
    # all) cost more than the counts.
    clinics = list(staff_clinics(request.user).filter(is_active=True).only("pk", "name", "slug", "timezone"))
    visible = Appointment.objects.filter(clinic__in=clinics)
    today = timezone.localdate()
    week_start = today - dt.timedelta(days=today.weekday())
    return {
        "today": _today_per_clinic(visible, clinics, now),
        "waiting": visible.filter(status=Status.REQUESTED, source=Appointment.Source.ONLINE, start__gte=now).count(),
        "waiting_url": changelist_url(
            status=Status.REQUESTED, source__exact=Appointment.Source.ONLINE, when="upcoming"
        ),
        "no_shows": visible.filter(
            status=Status.NO_SHOW, start__gte=local_midnight(week_start, timezone.get_current_timezone())
        ).count(),
        "no_shows_url": changelist_url(status=Status.NO_SHOW, when="week"),
        **_failed_emails(request),
        "changes": _changes_today(visible, clinics, now),
        "chart": _bookings_chart(clinics, week_start),
    }


TODAY_ROWS = 12


def _today_per_clinic(visible, clinics, now):
    counts = _today_counts(visible, clinics, now)
    clinics = sorted(clinics, key=lambda clinic: -counts[clinic.pk]) if len(clinics) > TODAY_ROWS else clinics
    rows = [
        {
            "clinic": clinic,
            "count": counts[clinic.pk],
            "url": schedule_url("day", clinic, now.astimezone(clinic.tz).date()),
        }
        for clinic in clinics[:TODAY_ROWS]
    ]
    if len(clinics) <= TODAY_ROWS:
        return {"rows": rows}
    # A practice-wide view of hundreds of clinics: the busiest by name, the rest as one line.
    rest = clinics[TODAY_ROWS:]
    return {
        "rows": rows,
        "others": {"clinics": len(rest), "count": sum(counts[clinic.pk] for clinic in rest)},
        "others_url": changelist_url(when="today"),
    }


def _today_counts(visible, clinics, now):
    """Active visits today per clinic id, counted in SQL in one query: each clinic over its own
    time zone's today (one condition per zone the clinics are in, read from the start index)."""
    todays, spans = Q(), []
    for zone in {clinic.timezone for clinic in clinics}:
        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        spans.append((local_midnight(today, tz), local_midnight(today + DAY, tz)))
        todays |= Q(clinic__timezone=zone, start__gte=spans[-1][0], start__lt=spans[-1][1])
    if not spans:
        return Counter()
    # All the zones' todays lie within one stretch of a day and a few hours: said once more on its
    # own, it lets the start index answer instead of a pass over every clinic's visits.
    within = Q(start__gte=min(s for s, _ in spans), start__lt=max(e for _, e in spans))
    rows = visible.active().filter(within & todays).values("clinic_id").annotate(n=Count("pk")).order_by()
    return Counter({row["clinic_id"]: row["n"] for row in rows})


# --- Changes since this morning ------------------------------------------------------------

CHANGES_PER_CLINIC = 10
CHANGES_CLINICS = 12


def _changes_today(visible, clinics, now):
    """Per clinic, newest first: visits booked, moved or cancelled online since the clinic's midnight,
    and those the desk moved or cancelled. Four queries, whatever the number of clinics or changes.

    What patients did online is read from the clinic's notices in the outbox (appointments.notifications),
    what staff did from the admin's history (LogEntry): neither needs a field of its own on a visit.
    """
    midnights = {clinic.pk: local_midnight(now.astimezone(clinic.tz).date(), clinic.tz) for clinic in clinics}
    if not midnights:
        return {"clinics": []}
    since = min(midnights.values())
    changes = [*_online_changes(visible, since), *_staff_changes(visible, since)]
    per_clinic = {}
    for change in sorted(changes, key=lambda change: change["at"], reverse=True):
        if change["at"] >= midnights[change["clinic_id"]]:
            per_clinic.setdefault(change["clinic_id"], []).append(change)
    by_pk = {clinic.pk: clinic for clinic in clinics}
    rows = [
        {
            "clinic": by_pk[pk],
            "changes": [_shown(change, by_pk[pk].tz) for change in found[:CHANGES_PER_CLINIC]],
            "more": len(found) - CHANGES_PER_CLINIC,
            "more_url": changelist_url(
                clinic__id__exact=pk, when="all", status="all", updated_at__gte=midnights[pk].isoformat()
            ),
        }
        for pk, found in per_clinic.items()
    ]
    rows.sort(key=lambda row: row["changes"][0]["at"], reverse=True)
    return {"clinics": rows[:CHANGES_CLINICS], "other_clinics": len(rows[CHANGES_CLINICS:])}


ONLINE_CHANGES = {
    notifications.FRONT_DESK_BOOKED: "Booked online",
    notifications.FRONT_DESK_MOVED: "Moved by the patient",
    notifications.FRONT_DESK_CANCELLED: "Cancelled by the patient",
}


def _online_changes(visible, since):
    """One row per notice the clinic was sent about a visit it holds: two queries (the notices, their visits)."""
    notices = list(
        OutboundEmail.objects.filter(
            content_type=ContentType.objects.get_for_model(Appointment),
            kind__in=ONLINE_CHANGES,
            created_at__gte=since,
        ).values_list("object_id", "kind", "created_at")
    )
    visits = _visits(visible, {object_id for object_id, _, _ in notices})
    return [
        _change(visits[object_id], at, ONLINE_CHANGES[kind]) for object_id, kind, at in notices if object_id in visits
    ]


def _staff_changes(visible, since):
    """Moves and cancellations the desk made, from the admin's history: two queries."""
    entries = list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Appointment),
            action_flag=CHANGE,
            action_time__gte=since,
        )
        .filter(Q(change_message__startswith="Rescheduled from") | Q(change_message__contains="to Cancelled."))
        .values_list("object_id", "change_message", "action_time", "user__username")
    )
    visits = _visits(visible, {int(object_id) for object_id, _, _, _ in entries if object_id.isdigit()})
    changes = []
    for object_id, message, at, username in entries:
        visit = visits.get(int(object_id)) if object_id.isdigit() else None
        if visit is not None:
            what = "Moved" if message.startswith("Rescheduled") else "Cancelled"
            changes.append(_change(visit, at, f"{what} by {username} (staff)"))
    return changes


def _visits(visible, ids):
    if not ids:
        return {}
    return {visit.pk: visit for visit in visible.filter(pk__in=ids).only(*CHANGE_FIELDS)}


CHANGE_FIELDS = ["pk", "clinic_id", "reference", "first_name", "last_name", "start", "status"]


def _change(visit, at, what):
    return {"clinic_id": visit.clinic_id, "at": at, "what": what, "visit": visit}


def _shown(change, tz):
    """A change as the list shows it: at what time, what happened, to which visit (its time now)."""
    visit = change["visit"]
    return {
        **change,
        "at_display": format_time(change["at"].astimezone(tz)),
        "when": format_short(visit.start.astimezone(tz)),
        "url": reverse("admin:appointments_appointment_change", args=[visit.pk]),
    }


def _failed_emails(request):
    email_admin = admin.site.get_model_admin(OutboundEmail)
    if not email_admin.has_view_permission(request):
        return {}
    failed = email_admin.get_queryset(request).filter(status=OutboundEmail.Status.FAILED).count()
    url = reverse("admin:armorpt_outboundemail_changelist") + "?status__exact=failed"
    return {"failed_emails": failed, "failed_emails_url": url}


# The chart's drawing area, in SVG user units.
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_TOP, CHART_BOTTOM, CHART_RIGHT = (
    640,
    260,
    44,
    16,
    40,
    28,
)  # room for the last week's date


def _bookings_chart(clinics, week_start):
    """New bookings per clinic per week (by the day they were made), for an SVG line chart and a table."""
    weeks = [week_start - dt.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    counts = weekly.bookings_per_week(clinics, weeks)
    lines = _chart_lines(clinics, counts, weeks)
    top = max([n for _, values in lines for n in values] + [1])
    scale_max = _nice_ceiling(top)
    plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    def x(i):
        return round(CHART_LEFT + plot_w * i / (WEEKS - 1), 1)

    def y(n):
        return round(CHART_TOP + plot_h * (1 - n / scale_max), 1)

    series = []
    for index, (clinic, values) in enumerate(lines):
        points = [{"x": x(i), "y": y(n), "n": n, "week": w} for i, (w, n) in enumerate(zip(weeks, values, strict=True))]
        series.append(
            {
                "clinic": clinic,
                "values": values,
                "total": sum(values),
                "points": points,
                "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
                "css": f"series-{index % 6}",
                "legend_y": CHART_TOP + 14 * index,
            }
        )
    ticks = [{"n": n, "y": y(n)} for n in (0, scale_max // 2, scale_max)]
    return {
        "weeks": [{"date": w, "x": x(i)} for i, w in enumerate(weeks)],
        "series": series,
        "ticks": ticks,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH - CHART_RIGHT,
        "baseline": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - CHART_BOTTOM + 18,
        "total": sum(s["total"] for s in series),
    }


def _chart_lines(clinics, counts, weeks):
    """(clinic, weekly counts) per line: every clinic, or the busiest and one line for all the others."""
    lines = [(clinic, [counts.get((clinic.pk, w), 0) for w in weeks]) for clinic in clinics]
    if len(lines) <= CHART_LINES:
        return lines
    lines.sort(key=lambda line: -sum(line[1]))
    kept, others = lines[: CHART_LINES - 1], lines[CHART_LINES - 1 :]
    rest = [sum(week) for week in zip(*(values for _, values in others), strict=True)]
    return [*kept, (SimpleNamespace(name=f"The other {len(others)} clinics", pk=None), rest)]


def _nice_ceiling(n):
    """The smallest of 2, 4, 6, 8, 10, 20, 40, … at or above n: round numbers, and an even half."""
    scale = 1
    while True:
        for base in (2, 4, 6, 8, 10):
            if base * scale >= n:
                return base * scale
        scale *= 10
