"""The admin index's dashboard: today per clinic, emails that failed, bookings per week."""

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from appointments.admin.schedule import changelist_url, schedule_url
from appointments.availability import local_midnight
from appointments.models import Appointment
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
    clinics = list(staff_clinics(request.user).filter(is_active=True))
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
        "chart": _bookings_chart(visible, clinics, week_start),
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
    """Active visits today per clinic id, counted in SQL: one query per time zone the clinics are in,
    each over that zone's own today."""
    counts = Counter()
    for zone in {clinic.timezone for clinic in clinics}:
        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        rows = (
            visible.active()
            .filter(clinic__timezone=zone, start__gte=local_midnight(today, tz))
            .filter(start__lt=local_midnight(today + DAY, tz))
            .values("clinic_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts.update({row["clinic_id"]: row["n"] for row in rows})
    return counts


def _failed_emails(request):
    email_admin = admin.site.get_model_admin(OutboundEmail)
    if not email_admin.has_view_permission(request):
        return {}
    failed = email_admin.get_queryset(request).filter(status=OutboundEmail.Status.FAILED).count()
    url = reverse("admin:armorpt_outboundemail_changelist") + "?status__exact=failed"
    return {"failed_emails": failed, "failed_emails_url": url}


# The chart's drawing area, in SVG user units.
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_TOP, CHART_BOTTOM, CHART_RIGHT = 640, 260, 44, 16, 40, 16


def _bookings_chart(visible, clinics, week_start):
    """New bookings per clinic per week (by the day they were made), for an SVG line chart and a table."""
    weeks = [week_start - dt.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    since = local_midnight(weeks[0], timezone.get_current_timezone())
    counts = {
        (row["clinic_id"], timezone.localtime(row["week"]).date()): row["n"]
        for row in visible.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("clinic_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    }
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
