from django.contrib import admin

from clinics.models import Clinic, ClinicClosure, Credential, OpeningHours, Specialist


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    max_num = 7


class ClinicClosureInline(admin.TabularInline):
    model = ClinicClosure
    extra = 1
    verbose_name = "closure (holiday)"
    verbose_name_plural = "closures (holidays): no bookings on these days"


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "phone", "confirms_online_bookings", "is_active", "display_order"]
    list_editable = ["display_order"]
    list_filter = ["is_active", "confirms_online_bookings", "city"]
    search_fields = ["name", "city", "street_address", "postal_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, ClinicClosureInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active", "display_order"]}),
        (
            "Address and contact",
            {"fields": ["street_address", "city", "state", "postal_code", "phone", "front_desk_email"]},
        ),
        ("Patients", {"fields": ["directions", "confirms_online_bookings", "timezone"]}),
    ]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["abbreviation", "name", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["abbreviation", "name"]


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials_display", "title", "accepts_new_patients", "is_active"]
    list_filter = ["is_active", "accepts_new_patients", "clinics", "credentials"]
    search_fields = ["name", "title", "treats", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["clinics", "credentials"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "title", "credentials", "photo"]}),
        ("Where and what", {"fields": ["clinics", "treats", "accepts_new_patients"]}),
        ("Biography", {"fields": ["bio"]}),
        ("On the site", {"fields": ["is_active", "display_order"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("credentials")

    @admin.display(description="credentials")
    def credentials_display(self, obj):
        return obj.credentials_display
