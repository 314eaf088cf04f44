"""The front desk's admin: appointments, schedules and the emails they caused.

Every change of status or time goes through appointments.services, as on the patient side;
a refusal comes back as a message next to the row or field, never as an error page.
"""

import phonenumbers
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from appointments import services
from appointments.admin.export import export_csv
from appointments.admin.filters import StatusFilter, WhenFilter
from appointments.admin.forms import BirthDateInput, CancelForm, PhoneBookingForm, RescheduleForm
from appointments.admin.patients import find_patients, link_to_patient
from appointments.admin.schedule import day_view, day_view_return, schedule_url, week_view
from appointments.availability import free_start_times
from appointments.models import (
    Appointment,
)
from appointments.timefmt import format_short, format_when
from armorpt.admin import OutboundEmailInline, PhoneNumbersMixin
from clinics.admin import (
    ClinicScopedMixin,
    SpecialistFilter,
    clinic_filter,
)

Status = Appointment.Status

STATUS_ACTIONS = {
    Status.CONFIRMED: "confirmed",
    Status.ARRIVED: "arrived",
    Status.COMPLETED: "completed",
    Status.NO_SHOW: "no-show",
}


@admin.register(Appointment)
class AppointmentAdmin(PhoneNumbersMixin, ClinicScopedMixin, admin.ModelAdmin):
    list_display = [
        "reference_display",
        "when",
        "patient",
        "clinic",
        "specialist",
        "status_badge",
        "source",
    ]
    list_display_links = ["reference_display", "when"]
    list_filter = [
        WhenFilter,
        StatusFilter,
        clinic_filter(),
        SpecialistFilter,
        "source",
        "appointment_type",
    ]
    list_select_related = ["clinic", "specialist", "appointment_type"]
    list_per_page = 50
    # "Show all N" would count every visit ever booked; the list says "N results" for the filtered rows.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
    search_fields = ["reference", "first_name", "last_name", "email", "phone"]
    search_help_text = "Name, email, phone number or reference (ABCD-EFGH)."
    # No date_hierarchy: its year list scans every visit. The "date" filter picks the days, and
    # links to one day (start__year, start__month, start__day) still filter by it.
    ordering = ["start"]
    actions = ["confirm", "cancel", "mark_arrived", "mark_completed", "mark_no_show"]
    inlines = [OutboundEmailInline]
    fieldsets = [
        (
            "Visit",
            {
                "fields": [
                    "reference_display",
                    "when",
                    "clinic",
                    "specialist",
                    "appointment_type",
                    "status_badge",
                    "source",
                ]
            },
        ),
        (
            "Patient",
            {
                "fields": [
                    "patient_record",
                    "first_name",
                    "last_name",
                    "phone",
                    "email",
                    "date_of_birth",
                    "reason",
                    "self_check",
                    "payment",
                    "notes",
                ]
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "created_at",
                    "updated_at",
                    "consent_at",
                    "cancelled_at",
                    "cancellation_reason",
                    "erased_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]
    readonly_fields = [
        "patient_record",
        "reference_display",
        "when",
        "self_check",
        "clinic",
        "specialist",
        "appointment_type",
        "status_badge",
        "source",
        "created_at",
        "updated_at",
        "consent_at",
        "cancelled_at",
        "cancellation_reason",
        "erased_at",
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "date_of_birth":
            kwargs["widget"] = BirthDateInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- The list ---

    @admin.display(description="reference", ordering="reference")
    def reference_display(self, obj):
        return obj.reference_display

    @admin.display(description="when (clinic time)", ordering="start")
    def when(self, obj):
        # Day and time each on one line, the two on two lines where the column is narrow.
        day, _, time = format_short(obj.start_local).partition(" at ")
        return format_html('<span class="when-part">{}</span> <span class="when-part">at {}</span>', day, time)

    @admin.display(description="patient", ordering="last_name")
    def patient(self, obj):
        return obj.patient_name

    @admin.display(description="patient record")
    def patient_record(self, obj):
        return link_to_patient(obj)

    @admin.display(description="back-pain self-check")
    def self_check(self, obj):
        # Only ever "none of the warning signs": the answers are never kept (appointments.screening).
        return "Done online before booking: no warning signs" if obj.self_check_clear else "—"

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return format_html('<span class="appt-status appt-status-{}">{}</span>', obj.status, obj.get_status_display())

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        exact = _exact_matches(search_term)
        if exact is not None:
            found = found | queryset.filter(exact)
        return found, may_have_duplicates

    # --- Actions: each calls the service, one row at a time, and reports each refusal ---

    @admin.action(description="Confirm the selected appointments (emails the patient)", permissions=["change"])
    def confirm(self, request, queryset):
        self._change_statuses(request, queryset, Status.CONFIRMED)

    @admin.action(description="Mark the selected patients as arrived", permissions=["change"])
    def mark_arrived(self, request, queryset):
        self._change_statuses(request, queryset, Status.ARRIVED)

    @admin.action(description="Mark the selected visits as completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._change_statuses(request, queryset, Status.COMPLETED)

    @admin.action(description="Mark the selected visits as no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._change_statuses(request, queryset, Status.NO_SHOW)

    @admin.action(
        description="Cancel the selected appointments… (asks for a reason; emails the patient)", permissions=["change"]
    )
    def cancel(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = sum(self._cancel(request, a, form.cleaned_data["reason"]) for a in queryset)
            if done:
                messages.success(request, f"Cancelled {done} appointment(s).")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Cancel appointments",
            "opts": self.opts,
            "appointments": [_with_when(a) for a in queryset.select_related("clinic", "specialist")],
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "query_string": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/appointments/appointment/cancel_selected.html", context)

    def _change_statuses(self, request, queryset, status):
        changed = sum(self._change_status(request, a, status) for a in queryset.select_related("clinic"))
        if changed:
            messages.success(request, f"Marked {changed} appointment(s) {Status(status).label.lower()}.")

    def _change_status(self, request, appointment, status):
        """True when the service changed the status; its refusal becomes a message about this row."""
        before = appointment.get_status_display()
        try:
            updated = services.change_status(appointment=appointment, status=status)
        except services.BookingError as exc:
            messages.error(request, f"{_name(appointment)}: {exc.message}")
            return False
        return self._log_status(request, appointment, updated, before)

    def _cancel(self, request, appointment, reason):
        before = appointment.get_status_display()
        try:
            updated = services.cancel_appointment(appointment=appointment, by_patient=False, reason=reason)
        except services.BookingError as exc:
            messages.error(request, f"{_name(appointment)}: {exc.message}")
            return False
        return self._log_status(request, appointment, updated, before, f" Reason: {reason}")

    def _log_status(self, request, appointment, updated, before, more=""):
        if updated.status == appointment.status:  # It already had that status: nothing happened.
            return False
        self.log_change(request, updated, f"Status changed from {before} to {updated.get_status_display()}.{more}")
        return True

    # --- Pages of their own ---

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        info = "appointments_appointment"
        return [
            path("day/", view(self.day_view), name=f"{info}_day"),
            path("week/", view(self.week_view), name=f"{info}_week"),
            path("export/", view(self.export_view), name=f"{info}_export"),
            path("<int:object_id>/reschedule/", view(self.reschedule_view), name=f"{info}_reschedule"),
            path("<int:object_id>/cancel/", view(self.cancel_view), name=f"{info}_cancel"),
            path("<int:object_id>/status/", view(self.status_view), name=f"{info}_status"),
            *super().get_urls(),
        ]

    def day_view(self, request):
        return day_view(self, request)

    def week_view(self, request):
        return week_view(self, request)

    def export_view(self, request):
        return export_csv(self, request)

    def add_view(self, request, form_url="", extra_context=None):
        """Book a patient who phones in: the service checks the time, as for an online booking."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        keys = ("clinic", "specialist", "day", "time", "patient")  # "patient": "Book again" from a patient's page
        initial = {key: request.GET[key] for key in keys if key in request.GET}
        form = PhoneBookingForm(request.POST or None, initial=initial, user=request.user)
        self._type_to_find(form, "clinic", "specialist")
        find_patients(form, self.admin_site)
        free = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    appointment = services.book_appointment(
                        clinic=data["clinic"],
                        start=data["start"],
                        patient=form.patient_details(),
                        patient_record=data["patient"],
                        specialist=data["specialist"],
                        appointment_type=data["appointment_type"],
                        source=data["source"],
                    )
                    self.log_addition(request, appointment, f"Booked ({appointment.get_source_display().lower()}).")
            except services.BookingError as exc:
                _form_error(form, exc)
                free = free_start_times(data["clinic"], data["day"], data["appointment_type"], data["specialist"])
            else:
                messages.success(
                    request,
                    f"Booked {appointment.patient_name} with {appointment.specialist} on "
                    f"{format_when(appointment.start_local)}. Reference {appointment.reference_display}.",
                )
                return self._back(request, appointment)
        return self._form_page(
            request,
            "admin/appointments/appointment/phone_booking.html",
            form,
            title="Book a patient who phones in",
            free=free,
            fieldsets=[
                ("Who is calling", ["patient"]),
                ("When and with whom", ["clinic", "specialist", "appointment_type", "day", "time", "source"]),
                (
                    "Patient",
                    ["first_name", "last_name", "phone", "email", "date_of_birth", "reason", "payment", "notes"],
                ),
            ],
        )

    def _type_to_find(self, form, *names):
        """Search-as-you-type for these choices: hundreds of clinics or thousands of specialists
        make a select too long to load or use. The search answers with the user's own only."""
        for name in names:
            field = form.fields[name]
            field.widget = AutocompleteSelect(
                Appointment._meta.get_field(name), self.admin_site, attrs={"data-placeholder": field.empty_label}
            )
            field.widget.choices = field.choices

    def reschedule_view(self, request, object_id):
        appointment = self._changeable(request, object_id)
        form = RescheduleForm(request.POST or None, appointment=appointment, user=request.user)
        free = None
        if request.method == "POST" and form.is_valid():
            before = f"{format_when(appointment.start_local)} with {appointment.specialist}"
            try:
                moved = services.reschedule_appointment(
                    appointment=appointment,
                    start=form.cleaned_data["start"],
                    specialist=form.cleaned_data["specialist"],
                    by_patient=False,
                )
            except services.BookingError as exc:
                _form_error(form, exc)
                day = form.cleaned_data["day"]
                free = free_start_times(
                    appointment.clinic, day, appointment.appointment_type, form.cleaned_data["specialist"]
                )
            else:
                after = f"{format_when(moved.start_local)} with {moved.specialist}"
                self.log_change(request, moved, f"Rescheduled from {before} to {after}.")
                messages.success(request, f"Moved {moved.patient_name} to {after}. The patient gets an email.")
                return self._back(request, moved)
        return self._form_page(
            request,
            "admin/appointments/appointment/reschedule.html",
            form,
            title=f"Reschedule {appointment.patient_name}",
            original=appointment,
            free=free,
            fieldsets=[(None, ["day", "time", "specialist"])],
        )

    def cancel_view(self, request, object_id):
        appointment = self._changeable(request, object_id)
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if self._cancel(request, appointment, form.cleaned_data["reason"]):
                messages.success(request, f"Cancelled the visit of {appointment.patient_name}.")
            return self._back(request, appointment)
        return self._form_page(
            request,
            "admin/appointments/appointment/cancel.html",
            form,
            title=f"Cancel the visit of {appointment.patient_name}",
            original=appointment,
            fieldsets=[(None, ["reason"])],
        )

    def status_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        appointment = self._changeable(request, object_id)
        status = request.POST.get("status")
        if status not in STATUS_ACTIONS:
            messages.error(request, "Choose one of the status buttons.")
        elif self._change_status(request, appointment, status):
            messages.success(request, f"{appointment.patient_name}: marked {Status(status).label.lower()}.")
        return self._back(request, appointment)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appointment = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if appointment is not None and self.has_change_permission(request, appointment):
            extra_context["status_buttons"] = [
                (status, label)
                for status, label in STATUS_ACTIONS.items()
                if appointment.status in services.TRANSITIONS[status]
            ]
            extra_context["can_move"] = appointment.status in services.OPEN_STATUSES
        if appointment is not None:
            extra_context["day_url"] = schedule_url("day", appointment.clinic, appointment.start_local.date())
        return super().change_view(request, object_id, form_url, extra_context)

    def _changeable(self, request, object_id):
        appointment = self.get_object(request, str(object_id))
        if appointment is None:
            raise PermissionDenied
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        return appointment

    def _back(self, request, appointment):
        """To the day view the button was on (its `next`, checked to be one), else to the visit's page."""
        day = day_view_return(request)
        return HttpResponseRedirect(day) if day else self._back_to_change(appointment)

    def _back_to_change(self, appointment):
        return HttpResponseRedirect(reverse("admin:appointments_appointment_change", args=[appointment.pk]))

    def _form_page(self, request, template, form, *, title, fieldsets, original=None, free=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "fieldsets": [(name, [form[f] for f in fields]) for name, fields in fieldsets],
            "original": original,
            "original_when": format_when(original.start_local) if original else "",
            "free": free,
            "media": self.media + form.media,
            # Opened from a day view (its `next`): "Back" returns there, as the form does once done.
            "back_url": day_view_return(request),
        }
        return TemplateResponse(request, template, context)


def _with_when(appointment):
    appointment.when = format_short(appointment.start_local)
    return appointment


def _name(appointment):
    return f"{appointment.reference_display} ({appointment.patient_name})"


def _form_error(form, exc):
    field = {"start": "time"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _exact_matches(term):
    """A reference typed with its dash, or a phone number typed any usual way."""
    term = term.strip()
    if not term:
        return None
    query = Q()
    compact = term.replace("-", "").replace(" ", "").upper()
    if len(compact) == 8 and compact.isalnum():
        query |= Q(reference=compact)
    try:
        number = phonenumbers.parse(term, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        query |= Q(phone=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return query or None
