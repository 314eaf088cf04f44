from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from modeltranslation.admin import TranslationAdmin

from clinics.admin import SpanishHelpMixin
from selfcheck import rules
from selfcheck.models import Wording

GUIDANCE = (
    "Only the words change here. Which answers lead to which result is fixed in the site's code, "
    "so no edit can send someone with an emergency sign to the booking form. Write for a patient in pain "
    "on a phone: short sentences and everyday words (US grade 6 to 8). Plain text: a blank line starts a "
    "new paragraph; links and HTML are shown as typed."
)


class WordingForm(forms.ModelForm):
    # No Meta: the admin builds it from the fieldsets below.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Numbered as the patient sees them.
        # Each text has an English (_en) and a Spanish (_es) field (selfcheck.translation).
        for number, name in enumerate(rules.QUESTIONS, 1):
            for language in ("en", "es"):
                field = self.fields[f"{name}_{language}"]
                field.label = f"Question {number}: {field.label}"
        for name in ("intro", "emergency_text", "doctor_text", "clear_text"):
            for language in ("en", "es"):
                self.fields[f"{name}_{language}"].widget.attrs["rows"] = 6


@admin.register(Wording)
class WordingAdmin(SpanishHelpMixin, TranslationAdmin):
    form = WordingForm
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 90})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 60})},
    }
    readonly_fields = ["page", "updated_at"]
    fieldsets = [
        (None, {"fields": ["page", "title", "intro"], "description": GUIDANCE}),
        ("Questions: a “yes” to any one leads to “call 911 now”", {"fields": rules.EMERGENCY_SIGNS}),
        ("Questions: a “yes” to any one leads to “see a doctor today or tomorrow”", {"fields": rules.DOCTOR_SIGNS}),
        ("Questions: a “yes” to both leads to “see a doctor today or tomorrow”", {"fields": rules.DOCTOR_PAIR}),
        (
            "Optional questions: they only choose which exercises of the back pain guide to suggest",
            {"fields": tuple(rules.EXERCISE_POINTERS)},
        ),
        (
            "Result: call 911 now",
            {
                "fields": ["emergency_title", "emergency_text"],
                "description": "Always shown with a large “Call 911” button and the clinic's phone number for "
                "questions, and never with a booking form or link.",
            },
        ),
        (
            "Result: see a doctor today or tomorrow",
            {
                "fields": ["doctor_title", "doctor_text"],
                "description": "Always shown with the signs that mean “call 911” and the clinic's phone number, "
                "and never with a booking form or link.",
            },
        ),
        (
            "Result: no warning signs",
            {
                "fields": ["clear_title", "clear_text"],
                "description": "Shown with a button to choose a time (reason “Back pain” filled in) and the "
                "exercises that fit the patient's answers.",
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    def has_add_permission(self, request):
        # One row, made by a migration: it is changed, not added.
        return super().has_add_permission(request) and not Wording.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="on the site")
    def page(self, wording):
        url = reverse("selfcheck:check")
        return format_html('<a href="{}" target="_blank" rel="noopener">Open the self-check</a>', url)
