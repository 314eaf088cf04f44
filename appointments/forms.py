import copy
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from phonenumber_field.formfields import PhoneNumberField

from appointments import availability
from appointments.models import WAITLIST_MAX_DAYS, Appointment, PartOfDay, WaitlistEntry
from appointments.timefmt import format_day
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
        raise ValidationError(_("Please remove special characters."))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # A date input's value is ISO in every language (Spanish would otherwise write 15/06/2027).
        super().__init__(attrs, format="%Y-%m-%d")


class BookingForm(DescribedErrorsMixin, BotTrapMixin, forms.Form):
    """Step 3: the patient's details. `start` arrives hidden, or as a choice of alternatives."""

    start = forms.CharField(label=gettext_lazy("Time"), max_length=40, widget=forms.HiddenInput)
    first_name = forms.CharField(
        max_length=60, validators=[single_line], widget=OneLineTextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=60, validators=[single_line], widget=OneLineTextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        help_text=gettext_lazy("We send your confirmation here."),
        widget=OneLineEmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneNumberField(
        label=gettext_lazy("Phone"),
        region="US",
        max_length=30,
        help_text=gettext_lazy("So the clinic can reach you about this visit, e.g. 269-555-0123."),
        error_messages={"invalid": gettext_lazy("Enter a phone number we can call, e.g. 269-555-0123.")},
        widget=OneLineTextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    date_of_birth = forms.DateField(
        help_text=gettext_lazy("Helps the clinic find your records."),
        input_formats=["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"],
        error_messages={"invalid": gettext_lazy("Enter your date of birth, e.g. 05/17/1980.")},
        widget=DateInput(attrs={"autocomplete": "bday"}),
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("What brings you in?"),
        choices=Appointment.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Please choose what brings you in."),
            "invalid_choice": gettext_lazy("Please choose one of the options."),
        },
    )
    # Optional: a patient who skips it (or a form from before the question) still books.
    payment = forms.ChoiceField(
        label=gettext_lazy("How will you pay? (optional)"),
        required=False,
        help_text=gettext_lazy("Your plan's name is enough: bring your card to the visit. No member numbers here."),
        error_messages={"invalid_choice": gettext_lazy("Please choose one of the options.")},
    )
    notes = forms.CharField(
        label=gettext_lazy("Anything your therapist should know? (optional)"),
        required=False,
        max_length=1000,
        validators=[no_nul],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Up to 1,000 characters. Only clinic staff see this."),
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that Armor Physical Therapy may use these details to arrange my visit and contact me about it."
        ),
        error_messages={
            "required": gettext_lazy("Please tick this box so we can use your details to arrange the visit.")
        },
    )

    def __init__(self, *args, clinic, specialist, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic, self.specialist, self.now = clinic, specialist, now
        self.alternatives = []
        self.fields["first_name"].label = _("First name")
        self.fields["last_name"].label = _("Last name")
        self.fields["date_of_birth"].label = _("Date of birth")
        self.fields["date_of_birth"].widget.attrs["max"] = now.date().isoformat()
        self.fields["payment"].choices = [("", _("Choose one")), *practice.payment_choices(clinic)]

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
            raise ValidationError(_("A date of birth cannot be in the future."))
        if born < today - dt.timedelta(days=int(365.25 * MAX_AGE_YEARS)):
            raise ValidationError(_("Please check the year of your date of birth."))
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
        label=gettext_lazy("Who would you like to see?"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Please choose one of the options.")},
    )
    first_day = forms.DateField(
        label=gettext_lazy("From"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"],
        error_messages={
            "invalid": gettext_lazy("Enter a date, e.g. 06/21/2027."),
            "required": gettext_lazy("Enter the first day that suits you."),
        },
        widget=DateInput,
    )
    last_day = forms.DateField(
        label=gettext_lazy("Until"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"],
        help_text="",  # in __init__: a sentence with a number, in the page's language
        error_messages={
            "invalid": gettext_lazy("Enter a date, e.g. 06/30/2027."),
            "required": gettext_lazy("Enter the last day that suits you."),
        },
        widget=DateInput,
    )
    parts_of_day = forms.MultipleChoiceField(
        label=gettext_lazy("Which parts of the day suit you?"),
        choices=PartOfDay.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick none if any time of day suits you."),
        error_messages={"invalid_choice": gettext_lazy("Please choose from the parts of the day listed.")},
    )
    first_name = booking_field("first_name", label=gettext_lazy("First name"))
    last_name = booking_field("last_name", label=gettext_lazy("Last name"))
    email = booking_field("email", help_text=gettext_lazy("We email you here when a time opens."))
    phone = booking_field("phone", help_text=gettext_lazy("So the clinic can reach you, e.g. 269-555-0123."))
    payment = booking_field("payment")
    consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that Armor Physical Therapy may use these details to tell me about free times "
            "and arrange my visit."
        ),
        error_messages={
            "required": gettext_lazy("Please tick this box so we can use your details to tell you about free times.")
        },
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
            ("", _("Anyone: the first available specialist")),
            *((person.slug, person.name_with_credentials) for person in specialists),
        ]
        self.fields["payment"].choices = [("", _("Choose one")), *practice.payment_choices(clinic)]
        self.fields["last_day"].help_text = ngettext(
            "Up to %(days)s day in all.", "Up to %(days)s days in all.", WAITLIST_MAX_DAYS
        ) % {"days": WAITLIST_MAX_DAYS}
        for name in ("first_day", "last_day"):
            self.fields[name].widget.attrs.update(min=self.today.isoformat(), max=self.last_bookable.isoformat())

    def clean_specialist(self):
        return self.specialists.get(self.cleaned_data["specialist"])

    def clean_first_day(self):
        first = self.cleaned_data["first_day"]
        if first < self.today:
            raise ValidationError(_("That day has passed. Choose today or a later day."))
        if first > self.last_bookable:
            days = (self.last_bookable - self.today).days
            raise ValidationError(
                ngettext(
                    "We book up to %(days)s day ahead. Choose an earlier day.",
                    "We book up to %(days)s days ahead. Choose an earlier day.",
                    days,
                )
                % {"days": days}
            )
        return first

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", _("Choose a day on or after the first day."))
            elif (last - first).days >= WAITLIST_MAX_DAYS:
                days = ngettext(
                    "Choose %(days)s day or fewer in all.", "Choose %(days)s days or fewer in all.", WAITLIST_MAX_DAYS
                )
                self.add_error("last_day", days % {"days": WAITLIST_MAX_DAYS})
            elif last > self.last_bookable:
                days = (self.last_bookable - self.today).days
                ahead = ngettext(
                    "We book up to %(days)s day ahead. Choose %(day)s or earlier.",
                    "We book up to %(days)s days ahead. Choose %(day)s or earlier.",
                    days,
                )
                day = format_day(dt.datetime.combine(self.last_bookable, dt.time()))
                self.add_error("last_day", ahead % {"days": days, "day": day})
        return cleaned

    def entry(self, *, language):
        """The unsaved waitlist entry the form describes, for a patient reading `language`."""
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
            language=language,
        )
