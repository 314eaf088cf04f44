from django.contrib import admin

from appointments.models import Appointment, AppointmentType, BookingRules, TimeOff, WorkingHours
from armorpt.admin import OutboundEmailInline
from clinics.admin import SpecialistAdmin
from clinics.models import Specialist


@admin.register(BookingRules)
class BookingRulesAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not BookingRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "buffer_after_minutes", "bookable_online", "display_order"]
    list_editable = ["display_order"]
    prepopulated_fields = {"slug": ["name"]}


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ["clinic", "weekday", "start_time", "end_time"]


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


admin.site.unregister(Specialist)


@admin.register(Specialist)
class SpecialistWithScheduleAdmin(SpecialistAdmin):
    inlines = [WorkingHoursInline, TimeOffInline]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["specialist", "start", "end", "reason"]
    list_filter = ["specialist"]
    date_hierarchy = "start"


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["reference", "start", "patient_name", "clinic", "specialist", "status", "source"]
    list_filter = ["status", "clinic", "specialist", "source"]
    list_select_related = ["clinic", "specialist"]
    search_fields = ["reference", "first_name", "last_name", "email", "phone"]
    date_hierarchy = "start"
    readonly_fields = ["reference", "created_at", "updated_at", "consent_at", "cancelled_at", "erased_at"]
    inlines = [OutboundEmailInline]
