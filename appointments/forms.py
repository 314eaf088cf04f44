import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from appointments import availability
from appointments.models import Appointment
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
