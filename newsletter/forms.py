from django import forms
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from armorpt.forms import BotTrapMixin, DescribedErrorsMixin, OneLineEmailInput, OneLineTextInput, single_line
from newsletter.models import Subscriber

NUL_MESSAGE = _("Please remove the special characters.")


class SignupForm(DescribedErrorsMixin, BotTrapMixin, forms.Form):
    """The footer's form and the newsletter page's: `email`, optional `first_name`, and the bot traps."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter an email address like name@example.com."),
            "max_length": _("An email address has at most %(limit_value)d characters; this one has %(show_value)d."),
            "null_characters_not_allowed": NUL_MESSAGE,
        },
        widget=OneLineEmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("First name (optional)"),
        required=False,
        max_length=60,
        validators=[single_line],
        error_messages={
            "max_length": _("Please shorten your first name to %(limit_value)d characters (it has %(show_value)d)."),
            "null_characters_not_allowed": NUL_MESSAGE,
        },
        widget=OneLineTextInput(attrs={"autocomplete": "given-name"}),
    )
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "signup-%s")
        super().__init__(*args, **kwargs)
        # "Too long" or "special characters" says more than "not an address", so it is checked first.
        self.fields["email"].validators.sort(key=lambda validator: isinstance(validator, EmailValidator))

    def full_clean(self):
        super().full_clean()
        for errors in self.errors.values():
            del errors[1:]  # One message per field: the first thing to fix.

    def clean_email(self):
        local, _, domain = self.cleaned_data["email"].rpartition("@")
        return f"{local}@{domain.lower()}"

    def clean_source(self):
        value = self.cleaned_data["source"]
        return value if value in (Subscriber.Source.FOOTER, Subscriber.Source.PAGE) else Subscriber.Source.FOOTER
