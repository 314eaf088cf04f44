"""Settings and schedules: booking rules, visit types, working hours, time off, closures, the outbox.

A front-desk user sees the rows of their own clinics (clinics.admin.ClinicScopedMixin).
"""

import datetime as dt

from django.contrib import admin, messages
from modeltranslation.admin import TranslationAdmin

from appointments import services
from appointments.admin.forms import WorkingHoursFormSet
from appointments.availability import local_midnight
from appointments.models import (
    Appointment,
    AppointmentType,
    BookingRules,
    TimeOff,
    WorkingHours,
)
from appointments.timefmt import format_short
from armorpt.admin import OutboundEmailAdmin
from armorpt.forms import LOCAL_DATETIME_FIELDS
from armorpt.models import OutboundEmail
from clinics.admin import (
    ClinicAdmin,
    ClinicScopedMixin,
    ScopedInlineMixin,
    SpanishHelpMixin,
    SpecialistAdmin,
    SpecialistFilter,
    clinic_filter,
)
from clinics.models import Clinic, ClinicClosure, Specialist


@admin.register(BookingRules)
class BookingRulesAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        # One row only: once it exists, it is changed, not added.
        return super().has_add_permission(request) and not BookingRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AppointmentType)
class AppointmentTypeAdmin(SpanishHelpMixin, TranslationAdmin):
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
        start = local_midnight(obj.date, obj.clinic.tz)
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
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
    ordering = ["clinic", "weekday", "start_time", "specialist"]


class TimeOffSpecialistFilter(SpecialistFilter):
    clinic_parameter = "specialist__clinics__id__exact"


@admin.register(TimeOff)
class TimeOffAdmin(WarnsAboutBookedVisits, ClinicScopedMixin, admin.ModelAdmin):
    clinic_lookup = "specialist__clinics"
    list_display = ["specialist", "start", "end", "reason"]
    list_filter = [
        clinic_filter("specialist__clinics", source=("clinics", "specialist", "clinics")),
        TimeOffSpecialistFilter,
    ]
    list_select_related = ["specialist"]
    search_fields = ["specialist__name", "reason"]
    autocomplete_fields = ["specialist"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
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
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
    date_hierarchy = "date"


# --- Emails: a front desk sees the messages about their clinics' appointments ------------------

admin.site.unregister(OutboundEmail)


@admin.register(OutboundEmail)
class ClinicOutboundEmailAdmin(ClinicScopedMixin, OutboundEmailAdmin):
    clinic_lookup = "appointment__clinic"
    # The outbox holds every email ever sent: no count of it all, no scan of its dates.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
    date_hierarchy = None
