"""The staff-written text patients read about clinics and specialists, in English and Spanish.

Names, addresses and credential abbreviations stay as they are. See content/translation.py:
an empty Spanish field shows the English text, with a note.
"""

from modeltranslation.translator import TranslationOptions, register

from clinics.models import Clinic, ClinicClosure, Credential, Specialist


@register(Clinic)
class ClinicTranslation(TranslationOptions):
    fields = ("directions", "photo_alt")
    fallback_undefined = ""


@register(ClinicClosure)
class ClinicClosureTranslation(TranslationOptions):
    fields = ("reason",)
    fallback_undefined = ""


@register(Credential)
class CredentialTranslation(TranslationOptions):
    fields = ("name",)
    fallback_undefined = ""


@register(Specialist)
class SpecialistTranslation(TranslationOptions):
    fields = ("title", "treats", "bio")
    fallback_undefined = ""
