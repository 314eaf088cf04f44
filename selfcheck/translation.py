"""The self-check's wording in English and Spanish (see content/translation.py).

Every text field of the one Wording row gets an _en and an _es column; the Spanish texts
written for the site are put in by migration 0003_spanish.
"""

from django.db import models
from modeltranslation.translator import TranslationOptions, register

from selfcheck.models import Wording

TEXT_FIELDS = tuple(
    field.name for field in Wording._meta.concrete_fields if isinstance(field, (models.CharField, models.TextField))
)


@register(Wording)
class WordingTranslation(TranslationOptions):
    fields = TEXT_FIELDS
    # The fields' defaults are the English texts: only an empty Spanish text falls back to English.
    fallback_undefined = ""
