"""New bookings per clinic per week, by the day they were made: the dashboard's chart.

A finished week never changes (a visit keeps its clinic and the moment it was booked), so its
counts are worked out once, for every clinic at the same time, and kept in WeeklyBookings. Only
the week under way is counted from the visits each time. The chart then costs the same at any
size of practice: a few hundred small rows and one week of bookings, not two months of them.
"""

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from appointments.availability import local_midnight
from appointments.models import Appointment, WeeklyBookings


def bookings_per_week(clinics, weeks):
    """{(clinic id, Monday): bookings} for `clinics` over `weeks` (Mondays, oldest first, the last one under way)."""
    tz = timezone.get_current_timezone()
    *finished, current = weeks
    ids = [clinic.pk for clinic in clinics]
    rows = list(WeeklyBookings.objects.filter(week__in=finished).filter(_these_or_marker(ids)))
    counted = {row.week for row in rows if row.clinic_id is None}
    counts = {(row.clinic_id, row.week): row.count for row in rows if row.clinic_id is not None}
    if missing := [week for week in finished if week not in counted]:
        stored = _count_and_keep(missing, since=local_midnight(missing[0], tz), until=local_midnight(current, tz))
        counts.update({key: n for key, n in stored.items() if key[0] in ids})
    counts.update(_count(Appointment.objects.filter(clinic__in=ids), local_midnight(current, tz), None))
    return counts


def _these_or_marker(ids):
    return Q(clinic__in=ids) | Q(clinic__isnull=True)


def _count(visits, since, until):
    if until is not None:
        visits = visits.filter(created_at__lt=until)
    return {
        (row["clinic_id"], timezone.localtime(row["week"]).date()): row["n"]
        for row in visits.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("clinic_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    }


def _count_and_keep(weeks, *, since, until):
    """Count the finished `weeks` for every clinic and keep them; two dashboards at once keep them once."""
    counts = {key: n for key, n in _count(Appointment.objects.all(), since, until).items() if key[1] in weeks}
    totals = dict.fromkeys(weeks, 0)
    for (_, week), n in counts.items():
        totals[week] += n
    WeeklyBookings.objects.bulk_create(
        [WeeklyBookings(clinic_id=clinic_id, week=week, count=n) for (clinic_id, week), n in counts.items()]
        + [WeeklyBookings(clinic=None, week=week, count=n) for week, n in totals.items()],
        ignore_conflicts=True,
    )
    return counts
