from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import Http404
from django.templatetags.static import static
from django.utils.html import format_html
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from armorpt.admin import PhoneNumbersMixin, phone_column
from clinics.models import Clinic, ClinicAccess, ClinicClosure, Credential, OpeningHours, Specialist
from clinics.selectors import limit_to_clinics, staff_clinics, staff_specialists

SPANISH_HELP = "Spanish: may be left empty; the Spanish page then shows the English text with a short note."


class SpanishHelpMixin:
    """For a TranslationAdmin or inline: each Spanish field says it may stay empty.

    The plain (untabbed) translation admin on purpose: its tabbed variants load jQuery UI from a CDN.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and getattr(db_field, "language", None) == "es":
            field.help_text = f"{field.help_text} {SPANISH_HELP}".strip()
        return field


class SearchFilterMedia:
    """The scripts of a list filter that finds its choice by typing (ScopedChoiceFilter past most_links)."""

    @property
    def media(self):
        autocomplete = AutocompleteSelect(Specialist._meta.get_field("clinics"), self.admin_site).media
        return super().media + autocomplete + forms.Media(js=["js/admin-search-filter.js"])


class ClinicScopedMixin(SearchFilterMedia):
    """A model admin that shows a user only the rows of the clinics they work at (clinics.ClinicAccess).

    `clinic_lookup` is the path from the model to Clinic. A direct URL to a row of another
    clinic gives 404, and the clinic and specialist choices of the forms hold only theirs.
    """

    clinic_lookup = "clinic"

    def get_queryset(self, request):
        return limit_to_clinics(super().get_queryset(request), request.user, self.clinic_lookup)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # Users without the permission get the admin's 403 instead.
        if obj is None and not request.user.is_superuser and self.has_view_or_change_permission(request):
            raise Http404("No such record at your clinics.")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def limit_choices(db_field, request, kwargs):
    if db_field.related_model is Clinic:
        kwargs.setdefault("queryset", staff_clinics(request.user))
    elif db_field.related_model is Specialist:
        kwargs.setdefault("queryset", staff_specialists(request.user))


class ScopedChoiceFilter(admin.SimpleListFilter):
    """A clinic or specialist filter whose choices come from their own table, the user's only.

    Django's RelatedOnlyFieldListFilter would ask for the DISTINCT values over every row listed
    (all visits). `lookup` is the path from the listed model to the chosen one; through a
    many-to-many it is read as a subquery, so no row is listed twice. A value that is not a
    number filters to nothing rather than failing.
    """

    lookup = None
    # More choices than this are no list to scan: the filter becomes a type-to-find box (admin
    # autocomplete over the model's own admin search), and the page reads only the chosen row.
    most_links = 12
    search_template = "admin/clinics/search_filter.html"
    search_source = None  # (app_label, model_name, field_name) whose autocomplete finds the choices

    def choices_queryset(self, request):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        rows = self.choices_queryset(request).order_by("name").values_list("pk", "name")
        found = [(str(pk), name) for pk, name in rows[: self.most_links + 1]]
        self.searching = len(found) > self.most_links and self.search_source is not None
        if not self.searching:
            return found
        self.template = self.search_template
        value = _key(self.value() or "")
        self.chosen = rows.filter(pk=value).first() if value else None
        return []

    def has_output(self):
        return getattr(self, "searching", False) or super().has_output()

    def choices(self, changelist):
        if not getattr(self, "searching", False):
            yield from super().choices(changelist)
            return
        app_label, model_name, field_name = self.search_source
        yield {
            "chosen": self.chosen,
            "parameter": self.parameter_name,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
        }

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if _key(value) is None:
            return queryset.none()
        in_choice = queryset.model._default_manager.filter(**{self.lookup: value}).values("pk")
        return queryset.filter(pk__in=in_choice)


def _key(value):
    """`value` if it can be a primary key (digits, within 64 bits), else None."""
    return value if value.isdigit() and len(value) < 19 else None


def clinic_filter(lookup="clinic", source=None):
    """A list filter of the user's clinics, on the rows whose `lookup` leads to the clinic chosen.

    `source`: (app_label, model_name, field_name) of a clinic field whose admin autocomplete finds
    a clinic when there are too many to list (default: the appointment's clinic).
    """
    return type(
        "ClinicFilter",
        (ScopedChoiceFilter,),
        {
            "title": "clinic",
            "parameter_name": f"{lookup}__id__exact",
            "lookup": lookup,
            "choices_queryset": lambda self, request: staff_clinics(request.user).filter(is_active=True),
            # A clinic is found through a clinic field of the listed model, or else a specialist's clinics.
            "search_source": ("appointments", "appointment", "clinic") if source is None else source,
        },
    )


class SpecialistFilter(ScopedChoiceFilter):
    """The specialists of the clinic chosen in the clinic filter, or else of the user's clinics.

    For someone who sees every clinic and chose none, there are too many to list: the filter
    then asks for a clinic first (and the search box finds anyone by name).
    """

    title = "specialist"
    parameter_name = "specialist__id__exact"
    lookup = "specialist"
    clinic_parameter = "clinic__id__exact"

    def __init__(self, request, params, model, model_admin):
        self.clinic_id = _key(request.GET.get(self.clinic_parameter, ""))
        super().__init__(request, params, model, model_admin)

    def choices_queryset(self, request):
        specialists = staff_specialists(request.user)
        if self.clinic_id:
            return specialists.filter(clinics=self.clinic_id)
        if request.user.is_superuser:
            return specialists.none()
        return specialists

    def has_output(self):
        # Keep a chosen specialist visible (and removable) even when the list is empty.
        return super().has_output() or self.value() is not None


class KeepOtherClinicsMixin(SearchFilterMedia):
    """For a model with a `clinics` many-to-many: the form offers only the user's clinics, so saving it
    keeps the links to the other clinics as they were."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        elsewhere = []
        if change and not request.user.is_superuser:
            elsewhere = list(form.instance.clinics.exclude(pk__in=staff_clinics(request.user)))
        super().save_related(request, form, formsets, change)
        if elsewhere:
            form.instance.clinics.add(*elsewhere)


class ScopedInlineMixin:
    """An inline showing, and offering, only the user's clinics."""

    clinic_lookup = "clinic"

    def get_queryset(self, request):
        return limit_to_clinics(super().get_queryset(request), request.user, self.clinic_lookup)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    max_num = 7


class ClinicClosureInline(SpanishHelpMixin, TranslationTabularInline):
    model = ClinicClosure
    extra = 1
    verbose_name = "closure (holiday)"
    verbose_name_plural = "closures (holidays): no bookings on these days"


@admin.register(Clinic)
class ClinicAdmin(PhoneNumbersMixin, ClinicScopedMixin, SpanishHelpMixin, TranslationAdmin):
    clinic_lookup = "pk"
    list_display = ["name", "city", phone_column(), "confirms_online_bookings", "is_active", "display_order"]
    list_editable = ["display_order"]
    list_filter = ["is_active", "confirms_online_bookings"]
    search_fields = ["name", "city", "street_address", "postal_code"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OpeningHoursInline, ClinicClosureInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active", "display_order"]}),
        (
            "Address and contact",
            {"fields": ["street_address", "city", "state", "postal_code", "phone", "front_desk_email"]},
        ),
        ("Place on the map (for “nearest first” in the clinic finder)", {"fields": [("latitude", "longitude")]}),
        ("Patients", {"fields": ["directions", "confirms_online_bookings", "timezone"]}),
        ("Picture", {"fields": ["photo", "photo_alt", "drawing", "picture_preview"]}),
    ]
    readonly_fields = ["picture_preview"]

    @admin.display(description="on the site")
    def picture_preview(self, clinic):
        if clinic.photo:
            return format_html('<img src="{}" alt="" width="320">', clinic.photo.url)
        return format_html('<img src="{}" alt="" width="320">', static(f"img/clinics/{clinic.drawing_name}.svg"))

    def has_add_permission(self, request):
        # A new clinic is the practice owner's decision; a manager only sees their own.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Credential)
class CredentialAdmin(SpanishHelpMixin, TranslationAdmin):
    list_display = ["abbreviation", "name", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["abbreviation", "name"]


@admin.register(Specialist)
class SpecialistAdmin(KeepOtherClinicsMixin, ClinicScopedMixin, SpanishHelpMixin, TranslationAdmin):
    clinic_lookup = "clinics"
    list_display = ["name", "credentials_display", "title", "accepts_new_patients", "is_active"]
    list_filter = [
        "is_active",
        "accepts_new_patients",
        clinic_filter("clinics", source=("clinics", "specialist", "clinics")),
        "credentials",
    ]
    search_fields = ["name", "title", "treats", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    # Clinics by typing, not from a list of them all (the choices are still the user's clinics only).
    autocomplete_fields = ["clinics"]
    filter_horizontal = ["credentials"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count every row per filter choice
    fieldsets = [
        (None, {"fields": ["name", "slug", "title", "credentials", "photo"]}),
        ("Where and what", {"fields": ["clinics", "treats", "accepts_new_patients"]}),
        ("Biography", {"fields": ["bio"]}),
        ("On the site", {"fields": ["is_active", "display_order"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("credentials")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "clinics" in form.base_fields:
            # Otherwise a manager could add someone they would never see again.
            form.base_fields["clinics"].required = True
        return form

    @admin.display(description="credentials")
    def credentials_display(self, obj):
        return obj.credentials_display


class ClinicAccessInline(admin.TabularInline):
    model = ClinicAccess
    extra = 1
    verbose_name = "clinic this person works at"
    verbose_name_plural = "clinics this person works at (front desk and managers see only these clinics)"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, ClinicAccessInline]
    list_filter = [*UserAdmin.list_filter, ("clinic_access__clinic", admin.RelatedOnlyFieldListFilter)]
