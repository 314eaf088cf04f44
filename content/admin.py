from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.forms import Textarea
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from armorpt.forms import LOCAL_DATETIME_FIELDS
from clinics.admin import SpanishHelpMixin
from content.models import Exercise, Guide


class LiveFilter(admin.SimpleListFilter):
    title = "on the site"
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", "Visible to patients"), ("scheduled", "Scheduled"), ("no", "Draft (unpublished)")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.live(now)
        if self.value() == "scheduled":
            return queryset.published().filter(published_at__gt=now)
        if self.value() == "no":
            return queryset.filter(is_published=False)
        return queryset


PICTURE_FIELDS = ["drawing", "image", "image_alt", "video", "picture_preview"]


class PicturePreviewMixin:
    readonly_fields = ["picture_preview"]

    @admin.display(description="on the site")
    def picture_preview(self, exercise):
        if exercise.image:
            url = exercise.image.url
        elif exercise.drawing:
            url = static(f"img/exercises/{exercise.drawing}.svg")
        else:
            return "No picture yet: choose a drawing or upload one."
        return format_html('<img src="{}" alt="" width="280">', url)


class ExerciseInline(PicturePreviewMixin, SpanishHelpMixin, TranslationStackedInline):
    model = Exercise
    extra = 0
    fields = ["category", "name", "purpose", "steps", "dosage", "caution", "order", *PICTURE_FIELDS]
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 4, "cols": 80})}}


@admin.register(Guide)
class GuideAdmin(SpanishHelpMixin, TranslationAdmin):
    list_display = ["title", "is_published", "published_at", "is_featured", "exercise_count", "updated_at", "preview"]
    list_filter = [LiveFilter, "is_published", "is_featured", "exercises__category", "reviewed_by"]
    search_fields = ["title", "summary", "body", "exercises__name"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    formfield_overrides = LOCAL_DATETIME_FIELDS
    list_select_related = ["reviewed_by"]
    readonly_fields = ["preview", "updated_at"]
    inlines = [ExerciseInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (
            "Publishing",
            {"fields": ["is_published", "published_at", "is_featured", "reviewed_by", "booking_reason", "preview"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(exercise_total=Count("exercises", distinct=True))

    @admin.display(description="exercises", ordering="exercise_total")
    def exercise_count(self, guide):
        return guide.exercise_total

    @admin.display(description="preview")
    def preview(self, guide):
        if not guide.pk:
            return "Save the guide first."
        # Staff see unpublished guides on the site; patients get a 404 until it is published.
        return format_html('<a href="{}" target="_blank" rel="noopener">Open on the site</a>', guide.get_absolute_url())


@admin.register(Exercise)
class ExerciseAdmin(PicturePreviewMixin, SpanishHelpMixin, TranslationAdmin):
    list_display = ["name", "category", "guide", "dosage", "order"]
    list_filter = ["category", "guide"]
    search_fields = ["name", "purpose", "steps", "caution", "guide__title"]
    list_select_related = ["guide"]
    autocomplete_fields = ["guide"]
    fieldsets = [
        (None, {"fields": ["guide", "category", "name", "purpose", "steps", "dosage", "caution", "order"]}),
        (
            "Picture",
            {
                "fields": PICTURE_FIELDS,
                "description": "A drawing made for this site, or your own picture in its place; "
                "a short video, if you add one, plays where the picture is.",
            },
        ),
    ]
