from django import forms
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic
from selfcheck import rules

YES, NO = "yes", "no"


class SelfCheckForm(forms.Form):
    """Yes or no to each question of selfcheck.rules, and the clinic the patient would go to.

    Every field is optional here: which blank answers matter is the rules' call (a "yes" to an
    emergency sign needs no other answer), not the form's.
    """

    clinic = forms.ModelChoiceField(
        Clinic.objects.active(),
        required=False,
        to_field_name="slug",
        empty_label=_("I'm not sure yet"),
        label=_("Which clinic would you go to? (optional)"),
        help_text=_("We show its phone number, in case you have questions."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in rules.QUESTIONS:
            self.fields[name] = forms.TypedChoiceField(
                choices=[(YES, _("Yes")), (NO, _("No"))],
                coerce=lambda value: value == YES,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        self.order_fields([*rules.QUESTIONS, "clinic"])

    def answers(self) -> dict[str, bool | None]:
        """Each question's answer: True, False, or None when blank (or not a yes or a no)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in rules.QUESTIONS}

    def chosen_clinic(self):
        self.is_valid()
        return self.cleaned_data.get("clinic")
