"""The staff-written text of guides and exercises, in English and Spanish (django-modeltranslation).

Each field below gets an _en and an _es column; reading `guide.title` gives the one of the page's
language, or the English text while the Spanish one is empty (content.templatetags.translation_tags
then adds a note saying so).
"""

from modeltranslation.translator import TranslationOptions, register

from content.models import Exercise, Guide


@register(Guide)
class GuideTranslation(TranslationOptions):
    fields = ("title", "summary", "body")
    # Only an empty Spanish text falls back to the English one.
    fallback_undefined = ""


@register(Exercise)
class ExerciseTranslation(TranslationOptions):
    fields = ("name", "purpose", "steps", "dosage", "caution", "image_alt")
    fallback_undefined = ""
