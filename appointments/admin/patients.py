"""Patient records in the front desk's admin: the list, a patient's page, merging two records,
and what "Book a caller" asks for (search-as-you-type, a picked patient's details).

A front-desk user sees the patients with a visit at their clinics, and finds anyone else only by
typing their exact phone number or email address (appointments.patients.search). Every change of
who is who goes through appointments.patients.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from appointments import patients
from appointments.admin.forms import BirthDateInput
from appointments.models import Appointment, Patient
from appointments.timefmt import format_short
from armorpt.admin import PhoneNumbersMixin, phone_display


class PatientChangeList(ChangeList):
    """The list reads each page's visit counts and dates in one query, not one per row."""

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        stats = patients.visit_stats([p.pk for p in rows], request.user, timezone.now())
        for patient in rows:
            patient.visit_count, patient.last_visit, patient.next_visit = stats.get(patient.pk, (0, None, None))


class PatientAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, saying who each match is: two Maria Garcias differ by birthday and phone."""

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": describe(obj)}


class PatientAutocomplete(AutocompleteSelect):
    """Search-as-you-type over patients, with static/js/patient_pick.js filling the form from the pick."""

    url_name = "%s:appointments_patient_autocomplete"

    @property
    def media(self):
        return super().media + forms.Media(js=["js/patient_pick.js"])


def describe(patient):
    """'Ana Lopez, born 04/02/1985, (269) 555-0142'"""
    parts = [patient.name]
    if patient.date_of_birth:
        parts.append(f"born {patient.date_of_birth:%m/%d/%Y}")
    if patient.phone:
        parts.append(phone_display(patient.phone))
    elif patient.email:
        parts.append(patient.email)
    return ", ".join(parts)


class MergeForm(forms.Form):
    keep = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Keep the record of")

    def __init__(self, *args, pair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(p.pk, p.pk) for p in pair]
        self.fields["keep"].initial = pair[0].pk


@admin.register(Patient)
class PatientAdmin(PhoneNumbersMixin, admin.ModelAdmin):
    list_display = ["name", "date_of_birth", "phone_display", "email", "visits", "last_visit", "next_visit"]
    list_display_links = ["name"]
    # The search itself is patients.search (get_search_results); these only switch the box and
    # the autocomplete on.
    search_fields = ["first_name", "last_name", "email", "phone"]
    search_help_text = "Name, email, part of a phone number, or a date of birth (04/02/1985)."
    show_full_result_count = False
    list_per_page = 50
    ordering = ["last_name", "first_name", "pk"]
    actions = ["merge_selected"]
    change_form_template = "admin/appointments/patient/change_form.html"
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "date_of_birth", "phone", "email", "payment"]}),
        ("Preferences", {"fields": ["preferred_language"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["created_at", "updated_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "date_of_birth":
            kwargs["widget"] = BirthDateInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # --- Who sees whom ---

    def get_queryset(self, request):
        return patients.visible_to(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        patient = super().get_object(request, object_id, from_field)
        # Another clinic's patient is "not here", as every other record of another clinic.
        if patient is None and self.has_view_or_change_permission(request):
            raise Http404("No such patient at your clinics.")
        return patient

    def get_search_results(self, request, queryset, search_term):
        return patients.search(request.user, search_term, among=queryset), False

    def has_add_permission(self, request):
        # A patient comes into being with their first booking ("Book a caller", or online).
        return False

    def get_changelist(self, request, **kwargs):
        return PatientChangeList

    # --- The list ---

    @admin.display(description="name", ordering="last_name")
    def name(self, patient):
        return patient.name

    @admin.display(description="phone", ordering="phone")
    def phone_display(self, patient):
        return phone_display(patient.phone)

    @admin.display(description="visits")
    def visits(self, patient):
        return getattr(patient, "visit_count", "")

    @admin.display(description="last visit")
    def last_visit(self, patient):
        return _day(getattr(patient, "last_visit", None))

    @admin.display(description="next visit")
    def next_visit(self, patient):
        return _day(getattr(patient, "next_visit", None))

    # --- Merging two records of one person ---

    @admin.action(description="Merge the selected patients… (two records of one person)", permissions=["change"])
    def merge_selected(self, request, queryset):
        pair = sorted(queryset[:3], key=lambda p: p.pk)
        if len(pair) != 2:
            messages.error(request, "Select exactly two patients to merge: the two records of one person.")
            return None
        stats = patients.visit_stats([p.pk for p in pair], request.user, timezone.now())
        # The record with more visits (or the older one) is kept unless the desk says otherwise.
        pair.sort(key=lambda p: (-stats.get(p.pk, (0,))[0], p.pk))
        form = MergeForm(request.POST if "apply" in request.POST else None, pair=pair)
        if form.is_valid():
            keep = next(p for p in pair if p.pk == form.cleaned_data["keep"])
            other = next(p for p in pair if p is not keep)
            return self._merge(request, keep, other)
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge two patient records",
            "opts": self.opts,
            "form": form,
            "choices": [_merge_choice(p, pair, stats) for p in pair],
            "rows": _compare(pair),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "query_string": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/appointments/patient/merge.html", context)

    def _merge(self, request, keep, other):
        other_id = other.pk
        try:
            moved = patients.merge(keep=keep, other=other)
        except patients.MergeRefused as exc:
            messages.error(request, exc.message)
            return None
        keep.refresh_from_db()
        self.log_change(request, keep, f"Merged patient record #{other_id} into this one ({moved} visits moved).")
        messages.success(request, f"Merged the two records of {keep.name}: {moved} visit(s) moved to one record.")
        return None

    # --- A patient's page ---

    def change_view(self, request, object_id, form_url="", extra_context=None):
        patient = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if patient is not None:
            history = patients.history(patient, request.user, timezone.now())
            extra_context.update(
                history=history,
                upcoming=[_visit_row(v) for v in history["upcoming"]],
                past=[_visit_row(v) for v in history["past"]],
                book_again_url=self._book_again_url(request, patient, history),
                duplicates=[
                    (
                        d,
                        f"{reverse('admin:appointments_patient_changelist')}?{urlencode({'id__in': f'{patient.pk},{d.pk}'})}",
                    )
                    for d in patients.possible_duplicates(patient, request.user)
                ],
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _book_again_url(self, request, patient, history):
        if not request.user.has_perm("appointments.add_appointment"):
            return None
        query = {"patient": patient.pk}
        if last := (history["past"] or history["upcoming"] or [None])[0]:
            query.update(clinic=last.clinic_id, specialist=last.specialist_id)
        return f"{reverse('admin:appointments_appointment_add')}?{urlencode(query)}"

    # --- What "Book a caller" asks for ---

    def get_urls(self):
        info = "appointments_patient"
        return [
            path("autocomplete/", self.admin_site.admin_view(self.autocomplete_view), name=f"{info}_autocomplete"),
            path("<int:object_id>/details/", self.admin_site.admin_view(self.details_view), name=f"{info}_details"),
            *super().get_urls(),
        ]

    def autocomplete_view(self, request):
        return PatientAutocompleteJsonView.as_view(admin_site=self.admin_site)(request)

    def details_view(self, request, object_id):
        """A picked patient's details as JSON, for the booking form to fill in; 404 for a patient the
        user may not see (their own, or one whose exact phone or email they typed: `?term=`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        patient = patients.findable(request.user, request.GET.get("term", "")).filter(pk=object_id).first()
        if patient is None:
            raise Http404("No such patient at your clinics.")
        return JsonResponse(
            {
                "id": patient.pk,
                "name": patient.name,
                "first_name": patient.first_name,
                "last_name": patient.last_name,
                "phone": phone_display(patient.phone),
                "email": patient.email,
                "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else "",
                "payment": patient.payment,
            }
        )


def _day(instant):
    if instant is None:
        return "—"
    local = timezone.localtime(instant)
    return f"{local:%b} {local.day}, {local.year}"


def _with_year(local):
    """'Thu, Jun 17, 2027 at 8:00 AM EDT': past visits go back years."""
    day, _, time = format_short(local).partition(" at ")
    return f"{day}, {local.year} at {time}"


def _visit_row(visit):
    return {
        "url": reverse("admin:appointments_appointment_change", args=[visit.pk]),
        "reference": visit.reference_display,
        "when": _with_year(visit.start_local),
        "clinic": visit.clinic.name,
        "specialist": visit.specialist.name,
        "type": visit.appointment_type.name,
        "status": visit.status,
        "status_label": visit.get_status_display(),
        "source": visit.get_source_display(),
    }


MERGE_FIELDS = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("date_of_birth", "Date of birth"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("payment", "How they pay"),
]


def _shown(patient, name):
    value = getattr(patient, name)
    if name == "phone":
        return phone_display(value)
    if name == "date_of_birth":
        return f"{value:%m/%d/%Y}" if value else ""
    return value


def _merged(keep, other):
    """What the kept record will say: its own details, its blanks filled from the other."""
    return {name: _shown(keep, name) or _shown(other, name) for name, _ in MERGE_FIELDS}


def _merge_choice(patient, pair, stats):
    other = pair[1] if patient is pair[0] else pair[0]
    merged = _merged(patient, other)
    return {
        "patient": patient,
        "visits": stats.get(patient.pk, (0,))[0],
        "summary": ", ".join(value for value in merged.values() if value),
        "other": other,
    }


def _compare(pair):
    return [{"label": label, "values": [_shown(p, name) or "—" for p in pair]} for name, label in MERGE_FIELDS]


def link_to_patient(appointment):
    """The visit's patient record, as a link (the appointment's page shows it)."""
    if appointment.patient_id is None:
        return "—"
    url = reverse("admin:appointments_patient_change", args=[appointment.patient_id])
    return format_html('<a href="{}">{}</a>', url, describe(appointment.patient))


def find_patients(form, admin_site):
    """Make the booking form's `patient` a search-as-you-type over patients that fills in the form."""
    field = form.fields["patient"]
    details_url = reverse("admin:appointments_patient_details", args=[0]).replace("/0/", "/{id}/")
    field.widget = PatientAutocomplete(
        Appointment._meta.get_field("patient"),
        admin_site,
        attrs={"data-placeholder": "New patient: type to find a returning one", "data-details-url": details_url},
    )
    field.widget.choices = field.choices
