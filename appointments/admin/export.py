"""The appointment list as a CSV file, every page of it as filtered on screen."""

import csv
import datetime as dt

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from appointments.models import Appointment
from armorpt.spreadsheet import safe_cell

UTC = dt.UTC
Status = Appointment.Status
DAY = dt.timedelta(days=1)


COLUMNS = [
    ("Reference", lambda a: a.reference_display),
    ("Date", lambda a: a.start_local.date().isoformat()),
    ("Start", lambda a: f"{a.start_local:%H:%M}"),
    ("End", lambda a: f"{a.end_local:%H:%M}"),
    ("Time zone", lambda a: a.start_local.tzname()),
    ("Clinic", lambda a: a.clinic.name),
    ("Specialist", lambda a: a.specialist.name),
    ("Type", lambda a: a.appointment_type.name),
    ("Status", lambda a: a.get_status_display()),
    ("Booked by", lambda a: a.get_source_display()),
    ("First name", lambda a: a.first_name),
    ("Last name", lambda a: a.last_name),
    ("Email", lambda a: a.email),
    ("Phone", lambda a: a.phone.as_national if a.phone else ""),
    ("Booked at", lambda a: timezone.localtime(a.created_at).isoformat(timespec="minutes")),
    (
        "Cancelled at",
        lambda a: timezone.localtime(a.cancelled_at).isoformat(timespec="minutes") if a.cancelled_at else "",
    ),
    ("Cancellation reason", lambda a: a.cancellation_reason),
]
HEALTH_COLUMNS = [
    ("Reason for visit", lambda a: a.get_reason_display() if a.reason else ""),
    ("Notes", lambda a: a.notes),
    ("Date of birth", lambda a: a.date_of_birth.isoformat() if a.date_of_birth else ""),
]
HEALTH_PERMISSION = "appointments.export_health_details"


class _Echo:
    def write(self, value):
        return value


def export_csv(model_admin, request):
    """The appointment list as filtered on screen (filters, search, date), every page of it."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseBadRequest("Those filters do not fit the appointment list.")
    columns = COLUMNS + (HEALTH_COLUMNS if request.user.has_perm(HEALTH_PERMISSION) else [])
    queryset = changelist.queryset.select_related("clinic", "specialist", "appointment_type")
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([title for title, _ in columns])
        for appointment in queryset.iterator(chunk_size=1000):
            yield writer.writerow([safe_cell(value(appointment)) for _, value in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    filename = f"appointments-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
