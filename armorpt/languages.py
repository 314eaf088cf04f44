"""The languages a patient can read the site, their emails and their calendar entries in."""

from django.db import models
from django.utils import translation


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


def current():
    """The language of the page being answered, as stored on a visit, a waitlist entry or a subscriber."""
    code = (translation.get_language() or "en")[:2]
    return code if code in Language.values else Language.ENGLISH


def language_field():
    # Set from the page the patient used (armorpt.languages.current); their emails follow it.
    return models.CharField(
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text="The language the patient used on the site; their emails are written in it.",
    )
