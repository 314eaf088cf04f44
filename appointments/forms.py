import copy
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from appointments import availability
from appointments.models import WAITLIST_MAX_DAYS, Appointment, PartOfDay, WaitlistEntry
from armorpt.forms import (
    BotTrapMixin,
    DescribedErrorsMixin,
    OneLineEmailInput,
    OneLineTextInput,
    single_line,
)
from practice import selectors as practice

MAX_AGE_YEARS = 120


def no_nul(value):
    if "\x00" in value:
        raise ValidationError("Please remove special characters.")


class DateInput(forms.DateInput):
    input_type = "date"


class BookingForm(DescribedErrorsMixin, BotTrapMixin, forms.Form):
    """Step 3: the patient's details. `start` arrives hidden, or as a choice of alternatives."""

    start = forms.CharField(label="Time", max_length=40, widget=forms.HiddenInput)
    first_name = forms.CharField(
        max_length=60, validators=[single_line], widget=OneLineTextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=60, validators=[single_line], widget=OneLineTextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        max_length=254,
        help_text="We send your confirmation here.",
        widget=OneLineEmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneNumberField(
        region="US",
        max_length=30,
        help_text="So the clinic can reach you about this visit, e.g. 269-555-0123.",
        error_messages={"invalid": "Enter a phone number we can call, e.g. 269-555-0123."},
        widget=OneLineTextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    date_of_birth = forms.DateField(
        help_text="Helps the clinic find your records.",
        input_formats=["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"],
        error_messages={"invalid": "Enter your date of birth, e.g. 05/17/1980."},
        widget=DateInput(attrs={"autocomplete": "bday"}),
    )
    reason = forms.ChoiceField(
        label="What brings you in?",
        choices=Appointment.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose what brings you in.",
            "invalid_choice": "Please choose one of the options.",
        },
    )
    # Optional: a patient who skips it (or a form from before the question) still books.
    payment = forms.ChoiceField(
        label="How will you pay? (optional)",
        required=False,
        help_text="Your plan's name is enough: bring your card to the visit. No member numbers here.",
        error_messages={"invalid_choice": "Please choose one of the options."},
    )
    notes = forms.CharField(
        label="Anything your therapist should know? (optional)",
        required=False,
        max_length=1000,
        validators=[no_nul],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Up to 1,000 characters. Only clinic staff see this.",
    )
    consent = forms.BooleanField(
        label="I agree that Armor Physical Therapy may use these details to arrange my visit and contact me about it.",
        error_messages={"required": "Please tick this box so we can use your details to arrange the visit."},
    )

    def __init__(self, *args, clinic, specialist, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic, self.specialist, self.now = clinic, specialist, now
        self.alternatives = []
        self.fields["first_name"].label = "First name"
        self.fields["last_name"].label = "Last name"
        self.fields["date_of_birth"].label = "Date of birth"
        self.fields["date_of_birth"].widget.attrs["max"] = now.date().isoformat()
        self.fields["payment"].choices = [("", "Choose one"), *practice.payment_choices(clinic)]

    def clean_start(self):
        start, problem = availability.check_start_time(self.cleaned_data["start"], clinic=self.clinic, now=self.now)
        if problem:
            self.offer_alternatives(start)
            raise ValidationError(problem)
        return start

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = self.now.astimezone(self.clinic.tz).date()
        if born > today:
            raise ValidationError("A date of birth cannot be in the future.")
        if born < today - dt.timedelta(days=int(365.25 * MAX_AGE_YEARS)):
            raise ValidationError("Please check the year of your date of birth.")
        return born

    def offer_alternatives(self, around):
        """Show the nearest free times as choices, so the patient picks one without retyping."""
        self.alternatives = availability.nearest_free(self.clinic, around, specialist=self.specialist, now=self.now)


def booking_field(name, **changes):
    """A copy of one of the booking form's fields, with the same checks, for a form that asks the same."""
    field = copy.deepcopy(BookingForm.base_fields[name])
    for attribute, value in changes.items():
        setattr(field, attribute, value)
    return field


class WaitlistForm(DescribedErrorsMixin, BotTrapMixin, forms.Form):
    """Joining a clinic's waitlist: who, which days and parts of the day, and how to reach the patient.

    Name, email, phone and payment are the booking form's fields; `entry()` gives the unsaved
    entry that appointments.waitlist.join puts in line.
    """

    specialist = forms.ChoiceField(
        label="Who would you like to see?",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Please choose one of the options."},
    )
    first_day = forms.DateField(
        label="From",
        input_formats=["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"],
        error_messages={"invalid": "Enter a date, e.g. 06/21/2027.", "required": "Enter the first day that suits you."},
        widget=DateInput,
    )
    last_day = forms.DateField(
        label="Until",
        input_formats=["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"],
        help_text=f"Up to {WAITLIST_MAX_DAYS} days in all.",
        error_messages={"invalid": "Enter a date, e.g. 06/30/2027.", "required": "Enter the last day that suits you."},
        widget=DateInput,
    )
    parts_of_day = forms.MultipleChoiceField(
        label="Which parts of the day suit you?",
        choices=PartOfDay.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none if any time of day suits you.",
        error_messages={"invalid_choice": "Please choose from the parts of the day listed."},
    )
    first_name = booking_field("first_name", label="First name")
    last_name = booking_field("last_name", label="Last name")
    email = booking_field("email", help_text="We email you here when a time opens.")
    phone = booking_field("phone", help_text="So the clinic can reach you, e.g. 269-555-0123.")
    payment = booking_field("payment")
    consent = forms.BooleanField(
        label="I agree that Armor Physical Therapy may use these details to tell me about free times "
        "and arrange my visit.",
        error_messages={"required": "Please tick this box so we can use your details to tell you about free times."},
    )

    def __init__(self, *args, clinic, specialists, now, rules, day=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic, self.now = clinic, now
        self.specialists = {person.slug: person for person in specialists}
        self.today = availability.local_today(clinic, now)
        self.last_bookable = self.today + rules.horizon
        first = day if day and self.today <= day <= self.last_bookable else self.today
        self.initial.setdefault("first_day", first)
        self.initial.setdefault("last_day", min(first + dt.timedelta(days=13), self.last_bookable))
        self.fields["specialist"].choices = [
            ("", "Anyone: the first available specialist"),
            *((person.slug, person.name_with_credentials) for person in specialists),
        ]
        self.fields["payment"].choices = [("", "Choose one"), *practice.payment_choices(clinic)]
        for name in ("first_day", "last_day"):
            self.fields[name].widget.attrs.update(min=self.today.isoformat(), max=self.last_bookable.isoformat())

    def clean_specialist(self):
        return self.specialists.get(self.cleaned_data["specialist"])

    def clean_first_day(self):
        first = self.cleaned_data["first_day"]
        if first < self.today:
            raise ValidationError("That day has passed. Choose today or a later day.")
        if first > self.last_bookable:
            raise ValidationError(
                f"We book up to {(self.last_bookable - self.today).days} days ahead. Choose an earlier day."
            )
        return first

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", "Choose a day on or after the first day.")
            elif (last - first).days >= WAITLIST_MAX_DAYS:
                self.add_error("last_day", f"Choose {WAITLIST_MAX_DAYS} days or fewer in all.")
            elif last > self.last_bookable:
                self.add_error(
                    "last_day",
                    f"We book up to {(self.last_bookable - self.today).days} days ahead. "
                    f"Choose {self.last_bookable:%B} {self.last_bookable.day} or earlier.",
                )
        return cleaned

    def entry(self):
        """The unsaved waitlist entry the form describes."""
        data = self.cleaned_data
        parts = set(data["parts_of_day"]) or set(PartOfDay.values)
        return WaitlistEntry(
            clinic=self.clinic,
            specialist=data["specialist"],
            first_day=data["first_day"],
            last_day=data["last_day"],
            mornings=PartOfDay.MORNING in parts,
            afternoons=PartOfDay.AFTERNOON in parts,
            evenings=PartOfDay.EVENING in parts,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=str(data["phone"]),
            payment=data["payment"],
            source=Appointment.Source.ONLINE,
            consent_at=self.now,
        )
