from django.contrib import admin
from django.db import models
from django.forms import Textarea
from modeltranslation.admin import TranslationAdmin

from clinics.admin import KeepOtherClinicsMixin, SpanishHelpMixin, clinic_filter
from practice.models import InsurancePlan, PracticeNote, Question, SelfPayPrice


@admin.register(InsurancePlan)
class InsurancePlanAdmin(KeepOtherClinicsMixin, SpanishHelpMixin, TranslationAdmin):
    """Every plan is listed for every manager (to add their clinic to one); they change only their clinics' links."""

    list_display = ["name", "kind", "needs_referral", "clinic_names", "is_active", "display_order"]
    list_editable = ["display_order"]
    list_filter = [
        "is_active",
        "kind",
        "needs_referral",
        clinic_filter("clinics", source=("practice", "insuranceplan", "clinics")),
    ]
    search_fields = ["name", "notes"]
    # Clinics by typing (the user's own only), not a list of them all.
    autocomplete_fields = ["clinics"]
    fields = ["name", "kind", "needs_referral", "notes", "clinics", "is_active", "display_order"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("clinics")

    @admin.display(description="clinics")
    def clinic_names(self, plan):
        return ", ".join(clinic.city for clinic in plan.clinics.all()) or "none"


@admin.register(SelfPayPrice)
class SelfPayPriceAdmin(SpanishHelpMixin, TranslationAdmin):
    list_display = ["appointment_type", "price", "notes"]
    list_select_related = ["appointment_type"]


@admin.register(Question)
class QuestionAdmin(SpanishHelpMixin, TranslationAdmin):
    list_display = ["question", "topic", "is_published", "display_order"]
    list_editable = ["is_published", "display_order"]
    list_filter = ["topic", "is_published"]
    search_fields = ["question", "answer"]
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 6, "cols": 80})}}


@admin.register(PracticeNote)
class PracticeNoteAdmin(SpanishHelpMixin, TranslationAdmin):
    list_display = ["title", "key", "updated_at"]
    readonly_fields = ["updated_at"]
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 10, "cols": 80})}}

    def has_add_permission(self, request):
        # One text per key: the pages look each up by its key.
        return super().has_add_permission(request) and PracticeNote.objects.count() < len(PracticeNote.Key)
