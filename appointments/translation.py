"""The visit types' staff-written text, in English and Spanish (django-modeltranslation; see
content/translation.py): a Spanish confirmation names "Evaluación inicial" and says what to bring
in Spanish, or the English text while the Spanish is empty."""

from modeltranslation.translator import TranslationOptions, register

from appointments.models import AppointmentType


@register(AppointmentType)
class AppointmentTypeTranslation(TranslationOptions):
    fields = ("name", "what_to_bring")
    fallback_undefined = ""
