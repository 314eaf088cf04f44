import datetime as dt
import math
import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Line breaks and other control characters have no place in a one-line field (or an email header).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def single_line(value):
    """Validator: names and the like fit on one line (a line break could forge an email header)."""
    if CONTROL_CHARACTERS.search(value):
        raise forms.ValidationError(_("Please type this on one line, without special characters or line breaks."))


class OneLine:
    """Shows what was typed, minus the line breaks and control characters an input cannot hold."""

    def format_value(self, value):
        value = super().format_value(value)
        return CONTROL_CHARACTERS.sub(" ", value) if value else value


class OneLineEmailInput(OneLine, forms.EmailInput):
    pass


class OneLineTextInput(OneLine, forms.TextInput):
    pass


class ClockChangeSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a time typed in local time, that also works on the two clock-change nights.

    Django refuses 1:30 AM on the fall-back night as ambiguous (it happens twice), so a guide
    published then could not be saved again. We take the first 1:30, as people read it. A time
    that does not exist (2:30 AM on the spring-forward night) gets a message saying so.
    """

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except forms.ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            return _first_occurrence(dt.datetime.combine(*data_list), timezone.get_current_timezone())


def _first_occurrence(naive, zone):
    aware = naive.replace(tzinfo=zone, fold=0)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise forms.ValidationError(
            "%(time)s does not exist on %(day)s: the clocks go forward an hour that night. Please choose another time.",
            code="nonexistent_time",
            params={"time": naive.strftime("%-I:%M %p"), "day": naive.strftime("%B %-d, %Y")},
        )
    return aware


# For ModelAdmin.formfield_overrides: every date-and-time field staff type in.
LOCAL_DATETIME_FIELDS = {models.DateTimeField: {"form_class": ClockChangeSplitDateTimeField}}


class DescribedErrorsMixin:
    """Tie each field's error message to its input (aria-describedby), so screen readers read it.

    crispy-bootstrap5 renders the message with id "<input id>_error"; Django 5.2 links only
    the help text.
    """

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            field, input_id = self.fields[name], self[name].auto_id
            described_by = [f"{input_id}_error"] + ([f"{input_id}_helptext"] if field.help_text else [])
            field.widget.attrs["aria-describedby"] = " ".join(described_by)


_last_signed = (None, "")  # (tenth of a second, its signed value)


def signed_now():
    """The current time to a tenth of a second, signed: the value of a bot-trapped form's `rendered_at`.

    Every page in the same tenth of a second gets the same value (it is a time, not a secret), so a
    busy cached page signs once per tenth instead of on every hit.
    """
    global _last_signed
    tenth = math.floor(time.time() * 10)
    if _last_signed[0] != tenth:
        _last_signed = (tenth, signing.dumps(tenth / 10, salt=BotTrapMixin.SALT))
    return _last_signed[1]


class BotTrapMixin(forms.Form):
    """A honeypot field and a signed "form shown at" time.

    A bot fills the hidden field: the view answers it as if all went well and saves nothing
    (`filled_honeypot()`), so it learns nothing. A form sent back within FORM_MIN_SECONDS of
    being shown (autofill and a quick tap do that), more than FORM_MAX_AGE_SECONDS later (a
    value fetched once and replayed), or without a valid time is not valid: the person sees it
    again with everything they typed and one sentence, and the new page restarts the clock.
    """

    SALT = "armorpt.forms.rendered-at"

    website = forms.CharField(required=False, label=gettext_lazy("Leave this empty"), max_length=200)
    rendered_at = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.initial.setdefault("rendered_at", signed_now())

    def filled_honeypot(self):
        return bool(self.data.get("website"))

    def clean(self):
        cleaned_data = super().clean()
        if problem := self._timing_problem():
            self.add_error(None, forms.ValidationError(problem, code="form_timing"))
            self._restart_clock()
        return cleaned_data

    def _timing_problem(self):
        try:
            shown = float(signing.loads(self.data.get("rendered_at", ""), salt=self.SALT))
        except (signing.BadSignature, TypeError, ValueError):
            return _("Something went wrong with this form. Please check your details and send it again.")
        waited = time.time() - shown
        if waited < settings.FORM_MIN_SECONDS:
            return _(
                "That was sent very quickly, before we could be sure. Please check your details and send it again."
            )
        if waited > settings.FORM_MAX_AGE_SECONDS:
            return _("This page was open for a long time. Please check your details and send it again.")
        return None

    def _restart_clock(self):
        self.data = self.data.copy()
        self.data["rendered_at"] = signed_now()
