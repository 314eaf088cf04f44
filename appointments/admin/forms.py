"""Forms of the front-desk admin pages. They read and check input; the booking services decide."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.functional import cached_property
from phonenumber_field.formfields import PhoneNumberField

from appointments import availability, patients
from appointments.models import Appointment, AppointmentType
from appointments.models import Patient as PatientRecord
from appointments.services import Patient
from clinics.models import Weekday
from clinics.selectors import staff_clinics, staff_specialists


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BirthDateInput(DateInput):
    """A date of birth: the browser's date field, without the admin's "Today | calendar" shortcuts
    (nobody the desk books was born today) and without dates after today.

    Use it for any date-of-birth field of an admin form: `formfield_for_dbfield` or a form's widgets.
    """

    def __init__(self, attrs=None):
        super().__init__({"min": "1900-01-01", "autocomplete": "off", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("max", timezone.localdate().isoformat())
        return context


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__({"step": 300, **(attrs or {})}, format="%H:%M")


class LocalStartMixin:
    """A `day` and a `time` field, read as wall-clock time at the clinic."""

    def local_start(self, clinic):
        day, time = self.cleaned_data.get("day"), self.cleaned_data.get("time")
        if clinic is None or day is None or time is None:
            return None
        start = availability.local_instant(day, time, clinic.tz)
        if start is None:
            self.add_error("time", "The clocks skip that time on that day (daylight saving). Choose another time.")
        elif start < timezone.now():
            self.add_error("time", "That time has passed. Choose a time later than now.")
            return None
        return start


class PhoneBookingForm(LocalStartMixin, forms.Form):
    """A patient who phones in (or walks in), booked through services.book_appointment."""

    required_css_class = "required"

    # Search-as-you-type (appointments.admin.patients.PatientAutocomplete); picking one fills in the
    # details below, and the visit is booked for that record.
    patient = forms.ModelChoiceField(
        queryset=PatientRecord.objects.none(),
        required=False,
        label="Returning patient",
        empty_label="New patient",
        help_text="Type part of their name, phone number, email or date of birth, and pick them: their details "
        "fill in. Leave empty for a new patient.",
    )
    clinic = forms.ModelChoiceField(queryset=None, empty_label=None)
    specialist = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Any free specialist",
        help_text="Leave as is to take whoever is free.",
    )
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.all(), empty_label=None, label="Type")
    day = forms.DateField(widget=DateInput)
    time = forms.TimeField(widget=TimeInput, help_text="The clinic’s local time.")
    source = forms.ChoiceField(
        choices=[(s.value, s.label) for s in (Appointment.Source.PHONE, Appointment.Source.WALK_IN)],
        initial=Appointment.Source.PHONE,
        label="Booked by",
    )
    first_name = forms.CharField(max_length=60)
    last_name = forms.CharField(max_length=60)
    phone = PhoneNumberField(required=False, region="US", help_text="Required for a phone booking.")
    email = forms.EmailField(required=False, help_text="Without one, the patient gets no confirmation email.")
    date_of_birth = forms.DateField(required=False, widget=BirthDateInput)
    reason = forms.ChoiceField(
        choices=[("", "—"), *Appointment.Reason.choices], required=False, label="Reason for visit"
    )
    payment = forms.CharField(
        required=False,
        max_length=120,
        label="How they will pay",
        help_text="The plan's name, “Paying myself” or “Not sure yet”. No member numbers.",
    )
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Any record held: one of another clinic is accepted when its exact phone or email was typed (clean).
        self.fields["patient"].queryset = PatientRecord.objects.held()
        if not self.is_bound and "patient" in self.initial:
            self._fill_in(self.initial.pop("patient"))
        self.fields["clinic"].queryset = staff_clinics(user).filter(is_active=True)
        self.fields["specialist"].queryset = staff_specialists(user).filter(is_active=True)
        self.fields["appointment_type"].initial = availability.online_type()
        if "clinic" not in self.initial:
            # A desk that works for one clinic should not have to find it in the search every time.
            only = list(self.fields["clinic"].queryset[:2])
            if len(only) == 1:
                self.initial["clinic"] = only[0].pk

    def clean(self):
        cleaned = super().clean()
        clinic, specialist = cleaned.get("clinic"), cleaned.get("specialist")
        if clinic and specialist and not specialist.clinics.filter(pk=clinic.pk).exists():
            self.add_error("specialist", f"{specialist} does not work at {clinic}.")
        self._check_patient(cleaned.get("patient"), cleaned.get("phone"), cleaned.get("email"))
        if cleaned.get("source") == Appointment.Source.PHONE and not cleaned.get("phone"):
            if "phone" not in self.errors:
                self.add_error("phone", "A phone booking needs the caller’s phone number, so the clinic can call back.")
        elif not cleaned.get("phone") and not cleaned.get("email"):
            raise ValidationError("Enter a phone number or an email address, so the clinic can reach the patient.")
        cleaned["start"] = self.local_start(clinic)
        return cleaned

    def _fill_in(self, value):
        """`?patient=<id>` ("Book again"): that patient picked and their details filled in, if the user sees them."""
        record = patients.visible_to(self.user).filter(pk=value).first() if str(value).isdigit() else None
        if record is not None:
            details = {name: getattr(record, name) for name in ("first_name", "last_name", "email", "payment")}
            self.initial.update(
                details, patient=record.pk, phone=record.phone or "", date_of_birth=record.date_of_birth
            )

    def _check_patient(self, record, phone, email):
        if record is not None and not patients.may_book(self.user, record, phone=phone or "", email=email or ""):
            self.add_error(
                "patient",
                "This patient has no visit at your clinics. To book them, type their exact phone number or email "
                "address in the search.",
            )

    def patient_details(self):
        data = self.cleaned_data
        return Patient(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"].as_e164 if data["phone"] else "",
            date_of_birth=data["date_of_birth"],
            reason=data["reason"],
            notes=data["notes"],
            payment=data["payment"],
        )


class RescheduleForm(LocalStartMixin, forms.Form):
    required_css_class = "required"
    day = forms.DateField(widget=DateInput)
    time = forms.TimeField(widget=TimeInput, help_text="The clinic’s local time.")
    specialist = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Any free specialist",
        help_text="“Any” keeps the same specialist when they are free at the new time.",
    )

    def __init__(self, *args, appointment, user, **kwargs):
        self.appointment = appointment
        local = appointment.start_local
        initial = {"day": local.date(), "time": local.time(), "specialist": appointment.specialist_id}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["specialist"].queryset = staff_specialists(user).filter(clinics=appointment.clinic, is_active=True)

    def clean(self):
        cleaned = super().clean()
        cleaned["start"] = self.local_start(self.appointment.clinic)
        return cleaned


class CancelForm(forms.Form):
    required_css_class = "required"
    reason = forms.CharField(
        max_length=200,
        label="Reason for cancelling",
        help_text="Kept with the appointment for staff; the patient’s email does not show it.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


class ScheduleForm(forms.Form):
    """The day and week views' GET form: works without JavaScript."""

    clinic = forms.ModelChoiceField(queryset=None, to_field_name="slug", empty_label=None)
    date = forms.DateField(widget=DateInput, label="Date")

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["clinic"].queryset = staff_clinics(user)

    def values(self, today):
        """(clinic, date) from the query string; the user's first clinic and today where missing or wrong."""
        data = self.cleaned_data if self.is_valid() else getattr(self, "cleaned_data", {})
        clinic = data.get("clinic") or self.fields["clinic"].queryset.first()
        return clinic, data.get("date") or today


class WorkingHoursFormSet(BaseInlineFormSet):
    """Refuses overlapping blocks among the rows of one submit, as they will be after it.

    Each row's own check looks only at the specialist's rows not in this form set (another clinic's,
    hidden from a scoped user): the rows here are compared with each other below, so a block can be
    shortened, moved or deleted and another put in its place in the same save.
    """

    @cached_property
    def _rows_here(self):
        return frozenset(row.pk for row in self.get_queryset())

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.compared_elsewhere = self._rows_here
        return form

    def clean(self):
        super().clean()
        blocks = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", None) or {}
            if {"weekday", "start_time", "end_time"} <= data.keys() and data["end_time"] > data["start_time"]:
                blocks.append((data["weekday"], data["start_time"], data["end_time"], form))
        for i, (weekday, start, end, form) in enumerate(blocks):
            for other_weekday, other_start, other_end, _ in blocks[:i]:
                if weekday == other_weekday and start < other_end and other_start < end:
                    form.add_error(
                        None,
                        f"This block overlaps another one on {Weekday(weekday).label} "
                        f"({_hm(other_start)}–{_hm(other_end)}).",
                    )


def _hm(time: dt.time):
    return f"{time:%H:%M}"
