"""The staff-written text patients read on the insurance and questions pages, in English and Spanish.

See content/translation.py: an empty Spanish field shows the English text, with a note.
"""

from modeltranslation.translator import TranslationOptions, register

from practice.models import InsurancePlan, PracticeNote, Question, SelfPayPrice


@register(InsurancePlan)
class InsurancePlanTranslation(TranslationOptions):
    fields = ("notes",)
    fallback_undefined = ""


@register(SelfPayPrice)
class SelfPayPriceTranslation(TranslationOptions):
    fields = ("notes",)
    fallback_undefined = ""


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("question", "answer")
    fallback_undefined = ""


@register(PracticeNote)
class PracticeNoteTranslation(TranslationOptions):
    fields = ("title", "summary", "body")
    fallback_undefined = ""
