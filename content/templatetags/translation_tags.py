"""Staff-written text whose Spanish version is missing: say so, and mark the English for screen readers.

modeltranslation (content/translation.py) already shows the English text when the field of the
page's language is empty; these tags tell the page that it did:

    {% load translation_tags %}
    <h1{% lang_if_english guide "title" %}>{{ guide.title }}</h1>
    {% in_english_note guide "title" "summary" "body" %}

The note is shown when any of the named fields fell back; `covered_by=guide` leaves it out when
that other object already shows it (an exercise of a guide that is all in English). Only the
attributes already loaded are read: no query.
"""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def fell_back(obj, *fields):
    """True when the page is not in English and one of `fields` of `obj` shows its English text instead."""
    language = get_language() or settings.LANGUAGE_CODE
    if obj is None or language == "en":
        return False
    for field in fields:
        own = getattr(obj, f"{field}_{language}", None)
        english = getattr(obj, f"{field}_en", None)
        if _is_empty(own) and not _is_empty(english):
            return True
    return False


@register.simple_tag
def lang_if_english(obj, *fields):
    """` lang="en"` on the element holding fields shown in English on a Spanish page, else nothing."""
    return mark_safe(' lang="en"') if fell_back(obj, *fields) else ""


@register.filter
def in_english(obj, field):
    """`{% if question|in_english:"answer" %}`: the field is shown in English on this page."""
    return fell_back(obj, field)


@register.inclusion_tag("content/_in_english_note.html")
def in_english_note(obj, *fields, covered_by=None, covered_fields=("title",)):
    shown = fell_back(obj, *fields) and not (covered_by is not None and fell_back(covered_by, *covered_fields))
    return {"show": shown}
