"""The front desk's admin: appointments, schedules and the emails they caused.

Every change of status or time goes through appointments.services, as on the patient side;
a refusal comes back as a message next to the row or field, never as an error page.
"""

import datetime as dt

import phonenumbers
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from appointments import admin_views, availability, services, waitlist
from appointments.forms_admin import CancelForm, PhoneBookingForm, RescheduleForm, WorkingHoursFormSet
from appointments.models import (
    Appointment,
    AppointmentType,
    BookingRules,
    TimeOff,
    WaitlistEntry,
    WaitlistOffer,
    WorkingHours,
)
from appointments.timefmt import format_short, format_time, format_when
from armorpt.admin import OutboundEmailAdmin, OutboundEmailInline
from armorpt.forms import LOCAL_DATETIME_FIELDS
from armorpt.models import OutboundEmail
from clinics.admin import (
    ClinicAdmin,
    ClinicScopedMixin,
    ScopedInlineMixin,
    SpecialistAdmin,
    SpecialistFilter,
    clinic_filter,
    staff_clinics,
    staff_specialists,
)
from clinics.models import Clinic, ClinicClosure, Specialist

Status = Appointment.Status


@admin.register(BookingRules)
class BookingRulesAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        # One row only: once it exists, it is changed, not added.
        return super().has_add_permission(request) and not BookingRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "buffer_after_minutes", "bookable_online", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


# --- Schedules -----------------------------------------------------------------------------


def warn_about_booked_visits(request, obj):
    """After time off or a closure is saved (on its own page or inline): name the visits it leaves booked."""
    if isinstance(obj, TimeOff):
        visits = Appointment.objects.filter(specialist=obj.specialist).overlapping(obj.start, obj.end)
        what = f"{obj.specialist} still has visits booked in this time off."
    else:
        start = admin_views.local_midnight(obj.date, obj.clinic.tz)
        visits = Appointment.objects.filter(clinic=obj.clinic).overlapping(start, start + dt.timedelta(days=1))
        what = f"{obj.clinic} has visits booked on this day."
    visits = list(visits.filter(status__in=services.OPEN_STATUSES).select_related("clinic")[:6])
    if visits:
        listed = "; ".join(f"{a.reference_display} {a.patient_name} {format_short(a.start_local)}" for a in visits[:5])
        more = " and more" if len(visits) > 5 else ""
        messages.warning(request, f"{what} Please move these visits: {listed}{more}.")


class WarnsAboutBookedVisits:
    """Time off or a closure saved on its own page or inline on another: the same warning either way."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if isinstance(obj, (TimeOff, ClinicClosure)):
            warn_about_booked_visits(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model in (TimeOff, ClinicClosure):
            for obj in [*formset.new_objects, *(obj for obj, _ in formset.changed_objects)]:
                warn_about_booked_visits(request, obj)


class WorkingHoursInline(ScopedInlineMixin, admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0
    fields = ["clinic", "weekday", "start_time", "end_time"]
    autocomplete_fields = ["clinic"]
    verbose_name_plural = "working hours (several blocks a day are fine, e.g. 8–12 and 13–17)"


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ["start", "end", "reason"]
    formfield_overrides = LOCAL_DATETIME_FIELDS


admin.site.unregister(Specialist)


@admin.register(Specialist)
class SpecialistWithScheduleAdmin(WarnsAboutBookedVisits, SpecialistAdmin):
    inlines = [WorkingHoursInline, TimeOffInline]


admin.site.unregister(Clinic)


@admin.register(Clinic)
class ClinicWithClosureWarningsAdmin(WarnsAboutBookedVisits, ClinicAdmin):
    pass


@admin.register(WorkingHours)
class WorkingHoursAdmin(ClinicScopedMixin, admin.ModelAdmin):
    list_display = ["specialist", "clinic", "weekday", "start_time", "end_time"]
    list_filter = [clinic_filter(), SpecialistFilter, "weekday"]
    list_select_related = ["specialist", "clinic"]
    search_fields = ["specialist__name", "clinic__name"]
    autocomplete_fields = ["clinic", "specialist"]
    show_full_result_count = False
    ordering = ["clinic", "weekday", "start_time", "specialist"]


class TimeOffSpecialistFilter(SpecialistFilter):
    clinic_parameter = "specialist__clinics__id__exact"


@admin.register(TimeOff)
class TimeOffAdmin(WarnsAboutBookedVisits, ClinicScopedMixin, admin.ModelAdmin):
    clinic_lookup = "specialist__clinics"
    list_display = ["specialist", "start", "end", "reason"]
    list_filter = [clinic_filter("specialist__clinics"), TimeOffSpecialistFilter]
    list_select_related = ["specialist"]
    search_fields = ["specialist__name", "reason"]
    autocomplete_fields = ["specialist"]
    show_full_result_count = False
    date_hierarchy = "start"
    formfield_overrides = LOCAL_DATETIME_FIELDS


@admin.register(ClinicClosure)
class ClinicClosureAdmin(WarnsAboutBookedVisits, ClinicScopedMixin, admin.ModelAdmin):
    list_display = ["date", "clinic", "reason"]
    list_filter = [clinic_filter()]
    list_select_related = ["clinic"]
    search_fields = ["reason", "clinic__name"]
    autocomplete_fields = ["clinic"]
    show_full_result_count = False
    date_hierarchy = "date"


# --- Emails: a front desk sees the messages about their clinics' appointments ------------------

admin.site.unregister(OutboundEmail)


@admin.register(OutboundEmail)
class ClinicOutboundEmailAdmin(ClinicScopedMixin, OutboundEmailAdmin):
    clinic_lookup = "appointment__clinic"
    # The outbox holds every email ever sent: no count of it all, no scan of its dates.
    show_full_result_count = False
    date_hierarchy = None


# --- Appointments --------------------------------------------------------------------------


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A filter with a default choice, dropped while the user searches or picks a date in the hierarchy."""

    default = None

    def __init__(self, request, params, model, model_admin):
        self.browsing = bool(request.GET.get("q")) or any(key.startswith("start__") for key in request.GET)
        super().__init__(request, params, model, model_admin)

    def value(self):
        return super().value() or ("all" if self.browsing else self.default)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class WhenFilter(DefaultChoiceFilter):
    title = "date"
    parameter_name = "when"
    default = "upcoming"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", "Upcoming and under way"),
            ("today", "Today"),
            ("week", "This week"),
            ("past", "Past"),
            ("all", "Any date"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        match self.value():
            case "upcoming":
                return queryset.filter(end__gte=now)
            case "today":
                start = admin_views.local_midnight(today, tz)
                return queryset.filter(
                    start__gte=start, start__lt=admin_views.local_midnight(today + dt.timedelta(1), tz)
                )
            case "week":
                monday = today - dt.timedelta(days=today.weekday())
                start = admin_views.local_midnight(monday, tz)
                return queryset.filter(
                    start__gte=start, start__lt=admin_views.local_midnight(monday + dt.timedelta(7), tz)
                )
            case "past":
                return queryset.filter(end__lt=now)
        return queryset


class StatusFilter(DefaultChoiceFilter):
    title = "status"
    parameter_name = "status"
    default = "active"

    def lookups(self, request, model_admin):
        return [("active", "Active (not cancelled)"), *Status.choices, ("all", "Any status")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "active":
            return queryset.active()
        if value in Status.values:
            return queryset.filter(status=value)
        return queryset


STATUS_ACTIONS = {
    Status.CONFIRMED: "confirmed",
    Status.ARRIVED: "arrived",
    Status.COMPLETED: "completed",
    Status.NO_SHOW: "no-show",
}


@admin.register(Appointment)
class AppointmentAdmin(ClinicScopedMixin, admin.ModelAdmin):
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

    # --- The list ---

    @admin.display(description="reference", ordering="reference")
    def reference_display(self, obj):
        return obj.reference_display

    @admin.display(description="when (clinic time)", ordering="start")
    def when(self, obj):
        return format_short(obj.start_local)

    @admin.display(description="patient", ordering="last_name")
    def patient(self, obj):
        return obj.patient_name

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
        return admin_views.day_view(self, request)

    def week_view(self, request):
        return admin_views.week_view(self, request)

    def export_view(self, request):
        return admin_views.export_csv(self, request)

    def add_view(self, request, form_url="", extra_context=None):
        """Book a patient who phones in: the service checks the time, as for an online booking."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {key: request.GET[key] for key in ("clinic", "specialist", "day", "time") if key in request.GET}
        form = PhoneBookingForm(request.POST or None, initial=initial, user=request.user)
        self._type_to_find(form, "clinic", "specialist")
        free = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    appointment = services.book_appointment(
                        clinic=data["clinic"],
                        start=data["start"],
                        patient=form.patient(),
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
                return HttpResponseRedirect(reverse("admin:appointments_appointment_change", args=[appointment.pk]))
        return self._form_page(
            request,
            "admin/appointments/appointment/phone_booking.html",
            form,
            title="Book a patient who phones in",
            free=free,
            fieldsets=[
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
                return self._back_to_change(moved)
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
            return self._back_to_change(appointment)
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
        return self._back_to_change(appointment)

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
            extra_context["day_url"] = admin_views._schedule_url(
                "day", appointment.clinic, appointment.start_local.date()
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _changeable(self, request, object_id):
        appointment = self.get_object(request, str(object_id))
        if appointment is None:
            raise PermissionDenied
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        return appointment

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


def free_start_times(clinic, day, appointment_type, specialist=None):
    """Free start times that day, per specialist, as ranges: what to offer a caller instead."""
    now = timezone.now()
    slots = availability.slots_for_clinics(
        [clinic],
        now=now,
        days=1,
        first_day=day,
        appointment_type=appointment_type,
        specialist=specialist,
        window=availability.Window.for_staff(now),
    )[clinic.pk]
    starts = {}
    for slot in slots:
        for specialist_id in slot.specialist_ids:
            starts.setdefault(specialist_id, []).append(slot.start)
    names = dict(Specialist.objects.filter(pk__in=starts).values_list("pk", "name"))
    step = availability.Window.for_staff(now).step
    return [
        {"specialist": names[sid], "ranges": [_span(clinic, first, last) for first, last in _runs(times, step)]}
        for sid, times in sorted(starts.items(), key=lambda item: names[item[0]])
    ]


def _runs(times, step):
    run = [times[0], times[0]]
    for time in times[1:]:
        if time - run[1] == step:
            run[1] = time
        else:
            yield tuple(run)
            run = [time, time]
    yield tuple(run)


def _span(clinic, first, last):
    first, last = first.astimezone(clinic.tz), last.astimezone(clinic.tz)
    return format_time(first) if first == last else f"{format_time(first)} to {format_time(last)}"


# --- The waitlist (rules in appointments.waitlist) ---------------------------------------------


class WaitlistOfferInline(admin.TabularInline):
    model = WaitlistOffer
    extra = 0
    can_delete = False
    fields = ["when", "specialist", "created_at", "expires_at", "outcome", "answered_at", "booked"]
    readonly_fields = fields
    verbose_name_plural = "offers sent, and what came of them"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="time offered")
    def when(self, offer):
        return format_short(offer.start_local)

    @admin.display(description="visit booked")
    def booked(self, offer):
        if not offer.appointment_id:
            return "—"
        url = reverse("admin:appointments_appointment_change", args=[offer.appointment_id])
        return format_html('<a href="{}">{}</a>', url, offer.appointment.reference_display)


class WaitlistStatusFilter(DefaultChoiceFilter):
    title = "status"
    parameter_name = "status"
    default = WaitlistEntry.Status.WAITING

    def lookups(self, request, model_admin):
        return [*WaitlistEntry.Status.choices, ("all", "Any status")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(status=value) if value in WaitlistEntry.Status.values else queryset


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ClinicScopedMixin, admin.ModelAdmin):
    """Who waits where, since when, for what; the offers they were sent. "Add" puts a caller in line."""

    list_display = ["patient", "clinic", "wants", "joined", "status", "offers_sent"]
    list_filter = [
        WaitlistStatusFilter,
        ("clinic", admin.RelatedOnlyFieldListFilter),
        ("specialist", admin.RelatedOnlyFieldListFilter),
        "source",
    ]
    list_select_related = ["clinic", "specialist"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    search_help_text = "Name, email or phone number."
    # First come, first served: the list reads in line order.
    ordering = ["created_at", "pk"]
    actions = ["take_off"]
    inlines = [WaitlistOfferInline, OutboundEmailInline]
    fieldsets = [
        (
            "Waiting for",
            {"fields": ["clinic", "specialist", ("first_day", "last_day"), ("mornings", "afternoons", "evenings")]},
        ),
        ("Patient", {"fields": ["first_name", "last_name", "phone", "email", "payment"]}),
        ("Record", {"fields": ["status", "source", "created_at", "ended_at", "consent_at", "erased_at"]}),
    ]
    readonly_fields = ["status", "source", "created_at", "ended_at", "consent_at", "erased_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(offer_count=Count("offers"))

    @admin.display(description="patient", ordering="last_name")
    def patient(self, entry):
        return entry.patient_name

    @admin.display(description="waiting for", ordering="first_day")
    def wants(self, entry):
        """'Anyone · Jun 15–28 · mornings and afternoons'"""
        first, last = entry.first_day, entry.last_day
        days = f"{first:%b} {first.day}–" + (f"{last.day}" if first.month == last.month else f"{last:%b} {last.day}")
        who = entry.specialist.name if entry.specialist else "Anyone"
        return f"{who} · {days} · {entry.parts_of_day_display}"

    @admin.display(description="joined", ordering="created_at")
    def joined(self, entry):
        return format_short(timezone.localtime(entry.created_at))

    @admin.display(description="times of day")
    def parts(self, entry):
        return entry.parts_of_day_display

    @admin.display(description="offers sent", ordering="offer_count")
    def offers_sent(self, entry):
        return entry.offer_count

    def get_changeform_initial_data(self, request):
        today = timezone.localdate()
        return {
            "first_day": today,
            "last_day": today + dt.timedelta(days=13),
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A caller the front desk puts in line: the same service (and confirmation email) as online.
        obj.source = Appointment.Source.PHONE
        waitlist.join(entry=obj)

    @admin.action(description="Take the selected patients off the waitlist", permissions=["change"])
    def take_off(self, request, queryset):
        left = [waitlist.leave(entry=entry) for entry in queryset.filter(status=WaitlistEntry.Status.WAITING)]
        for entry in left:
            self.log_change(request, entry, "Taken off the waitlist.")
        messages.success(request, f"Took {len(left)} patient(s) off the waitlist.")

    def get_urls(self):
        offer = self.admin_site.admin_view(self.offer_view)
        return [path("offer/", offer, name="appointments_waitlistentry_offer"), *super().get_urls()]

    def offer_view(self, request):
        """From the day view's free block: offer one of its online times to patients waiting in line."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        clinic = get_object_or_404(staff_clinics(request.user), pk=_int(request.GET.get("clinic")))
        specialist = get_object_or_404(staff_specialists(request.user), pk=_int(request.GET.get("specialist")))
        block = [availability.parse_start(request.GET.get(key, ""), clinic.tz) for key in ("from", "until")]
        if None in block:
            return HttpResponseBadRequest("The free block's times are missing or wrong.")
        starts = waitlist.bookable_starts(clinic=clinic, specialist=specialist, start=block[0], end=block[1])
        chosen = availability.parse_start(request.POST.get("start") or request.GET.get("start", ""), clinic.tz)
        start = next((slot.start for slot in starts if slot.start == chosen), starts[0].start if starts else None)
        if request.method == "POST" and start:
            ticked = [value for value in request.POST.getlist("entry") if value.isdigit()]
            entries = self.get_queryset(request).filter(pk__in=ticked, clinic=clinic)
            try:
                offers = waitlist.offer_time(clinic=clinic, specialist=specialist, start=start, entries=entries)
            except waitlist.WaitlistError as exc:
                messages.error(request, exc.message)
            else:
                when = format_when(start.astimezone(clinic.tz))
                for offer in offers:
                    self.log_change(request, offer.entry, f"Offered {when} with {specialist} (by the front desk).")
                if offers:
                    names = ", ".join(offer.entry.patient_name for offer in offers)
                    messages.success(request, f"Offered {when} with {specialist} to {names}. Each gets an email.")
                else:
                    messages.warning(
                        request, "Nobody was offered the time: each already had it or holds another offer."
                    )
                return HttpResponseRedirect(
                    admin_views._schedule_url("day", clinic, start.astimezone(clinic.tz).date())
                )
        rows = waitlist.in_line_for(clinic=clinic, specialist=specialist, start=start) if start else []
        # The next few in line who can take it are ticked; staff may tick others.
        ticked = [entry.pk for entry, why in rows if not why][: BookingRules.current().waitlist_offers_per_time]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Offer a time with {specialist} to the waitlist",
            "clinic": clinic,
            "specialist": specialist,
            "starts": [(slot.start.astimezone(clinic.tz), slot.start == start) for slot in starts],
            "when": format_when(start.astimezone(clinic.tz)) if start else "",
            "rows": [(entry, why, entry.pk in ticked) for entry, why in rows],
            "day_url": admin_views._schedule_url("day", clinic, block[0].astimezone(clinic.tz).date()),
            # What "Show who is waiting" (a GET of the same form) must send again.
            "keep": [(key, request.GET[key]) for key in ("clinic", "specialist", "from", "until")],
        }
        return TemplateResponse(request, "appointments/waitlist/admin_offer.html", context)


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(ClinicScopedMixin, admin.ModelAdmin):
    """Every offer sent and its outcome, per clinic: what the waitlist fills."""

    clinic_lookup = "entry__clinic"
    list_display = ["when", "patient", "clinic", "specialist", "created_at", "expires_at", "outcome"]
    list_filter = ["outcome", ("entry__clinic", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["entry__clinic", "specialist"]
    search_fields = ["entry__first_name", "entry__last_name", "entry__email"]
    date_hierarchy = "start"
    readonly_fields = [
        "entry",
        "specialist",
        "start",
        "end",
        "expires_at",
        "outcome",
        "created_at",
        "answered_at",
        "appointment",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="time offered (clinic time)", ordering="start")
    def when(self, offer):
        return format_short(offer.start_local)

    @admin.display(description="patient", ordering="entry__last_name")
    def patient(self, offer):
        return offer.entry.patient_name

    @admin.display(description="clinic", ordering="entry__clinic__name")
    def clinic(self, offer):
        return offer.entry.clinic


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
