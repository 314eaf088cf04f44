import re

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from armorpt import images
from clinics.models import Specialist

VIDEO_MAX_MB = 25


def validate_short_video(file):
    if file.size > VIDEO_MAX_MB * 1024 * 1024:
        raise ValidationError(f"Keep the video under {VIDEO_MAX_MB} MB: a few seconds of the movement is enough.")


class GuideQuerySet(models.QuerySet):
    def published(self):
        """Guides staff marked as published, including those scheduled for later (see Guide.is_live)."""
        return self.filter(is_published=True)

    def live(self, now):
        return self.published().filter(published_at__lte=now)


class Guide(models.Model):
    title = models.CharField(max_length=120)
    slug = models.SlugField(unique=True, help_text="Part of the web address: /guides/<slug>/. Keep it stable.")
    summary = models.CharField(
        max_length=300,
        help_text="One or two plain sentences. Shown in lists and in search results; about 150 characters is best.",
    )
    body = models.TextField(
        "introduction",
        blank=True,
        help_text="Markdown: ## for a heading, ### for a smaller one, * for a list, [text](https://…) for a link, ![description](/media/…) "
        "for an image. Shown above the exercises.",
    )
    reviewed_by = models.ForeignKey(
        Specialist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_guides",
        help_text="The therapist who checked the guide; named on the page.",
    )
    booking_reason = models.SlugField(
        default="back-pain",
        help_text="Prefills the reason on the booking form from the “Book an evaluation” button, "
        "e.g. back-pain, neck-pain, sports-injury, after-surgery, other.",
    )
    is_published = models.BooleanField(
        "published", default=False, help_text="Unpublished guides are visible to staff only."
    )
    published_at = models.DateTimeField(
        "publication date",
        null=True,
        blank=True,
        help_text="Filled in when you first publish. A future date keeps the guide hidden until then.",
    )
    is_featured = models.BooleanField("featured", default=False, help_text="Shown on the home page.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = [F("published_at").desc(nulls_last=True), "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False), name="published_guide_has_date"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._date_first_publication()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("guide_detail", args=[self.slug])

    def clean(self):
        # Before the constraint check of the admin form: "Published" ticked, no date yet.
        self._date_first_publication()

    def _date_first_publication(self):
        if self.is_published and not self.published_at:
            self.published_at = timezone.now()

    def is_live(self, now):
        return self.is_published and self.published_at is not None and self.published_at <= now


class Exercise(models.Model):
    class Category(models.TextChoices):
        # The values double as the anchors of the guide page's sections (#posture).
        MUSCLE_PERFORMANCE = "muscle-performance", _("Muscle performance")
        POSTURE = "posture", _("Posture improvement")
        RANGE_OF_MOTION = "range-of-motion", _("Range of motion")

    class Drawing(models.TextChoices):
        # Drawn for this site: static/img/exercises/<value>.svg, one style for all.
        PELVIC_TILT = "pelvic-tilt", "Pelvic tilt (on the back, knees bent)"
        BRIDGE = "bridge", "Bridge (on the back, hips lifted)"
        BIRD_DOG = "bird-dog", "Bird dog (on all fours, arm and leg reaching)"
        SIDE_LYING_LEG_LIFT = "side-lying-leg-lift", "Side-lying leg lift"
        CHIN_TUCK = "chin-tuck", "Chin tuck (head and shoulders, from the side)"
        SHOULDER_BLADE_SQUEEZE = "shoulder-blade-squeeze", "Shoulder blade squeeze (from behind)"
        WALL_STAND = "wall-stand", "Standing with the back against a wall"
        SITTING_TOWEL_ROLL = "sitting-towel-roll", "Sitting with a towel roll behind the back"
        KNEE_TO_CHEST = "knee-to-chest", "Knee to chest (on the back)"
        CAT_COW = "cat-cow", "Cat and cow (on all fours)"
        LOWER_TRUNK_ROTATION = "lower-trunk-rotation", "Knees dropping to one side (on the back, from above)"
        HAMSTRING_STRETCH_TOWEL = "hamstring-stretch-towel", "Hamstring stretch with a towel (on the back)"
        CHILDS_POSE = "childs-pose", "Child’s pose (kneeling, sitting back)"
        SLUMP_SIT_TALL = "slump-sit-tall", "Slump, then sit tall (on a chair)"
        STANDING_BACK_BEND = "standing-back-bend", "Standing back bend"
        SEATED_TWIST = "seated-twist", "Seated twist (from the front)"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="exercises")
    category = models.CharField(max_length=20, choices=Category.choices)
    name = models.CharField(max_length=100)
    purpose = models.CharField(max_length=200, blank=True, help_text="What it helps with, in one sentence.")
    steps = models.TextField("how to do it", help_text="One step per line, in order.")
    dosage = models.CharField(
        "sets, reps or hold time", max_length=150, help_text="e.g. “Hold 5 seconds. Repeat 10 times.”"
    )
    caution = models.TextField(help_text="What to watch for, and when to stop.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first within a category.")
    drawing = models.CharField(
        max_length=40,
        choices=Drawing.choices,
        blank=True,
        help_text="One of the drawings made for this site. An uploaded picture below takes its place.",
    )
    image = models.ImageField(
        "picture",
        upload_to="exercises/",
        blank=True,
        help_text="A photo or drawing of the movement (JPEG, PNG or WebP). Shown instead of the drawing; "
        "copies sized for phones are made when you save.",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "picture described in words",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for people who cannot see it: the position and the movement, "
        "e.g. “Lying on the back with knees bent, the hips lift until shoulders, hips and knees make a straight line.”",
    )
    video = models.FileField(
        upload_to="exercises/video/",
        blank=True,
        validators=[FileExtensionValidator(["mp4", "webm"]), validate_short_video],
        help_text=f"Optional: a short clip of the movement (MP4 or WebM, under {VIDEO_MAX_MB} MB, no speech needed). "
        "Patients press play; nothing downloads until they do.",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.image_width, self.image_height = images.size_before_save(self.image, self.image_width, self.image_height)
        super().save(*args, **kwargs)
        self._touch_guide()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self._touch_guide()
        return result

    def clean(self):
        # The English words are needed (content.translation); the Spanish page shows them while its own are empty.
        if (self.drawing or self.image or self.video) and not (self.image_alt_en or "").strip():
            raise ValidationError(
                {
                    "image_alt_en": "Describe the picture in words, for people who cannot see it "
                    "(screen readers read it out)."
                }
            )

    def _touch_guide(self):
        # The guide's "last modified" (sitemap, structured data) covers its exercises.
        Guide.objects.filter(pk=self.guide_id).update(updated_at=timezone.now())

    @property
    def step_list(self):
        """The steps as a list, without any numbering or bullets staff typed."""
        return [re.sub(r"^(\d+[.)]|[-*•])\s*", "", line.strip()) for line in self.steps.splitlines() if line.strip()]


CATEGORY_DESCRIPTIONS = {
    Exercise.Category.MUSCLE_PERFORMANCE: _(
        "Strength for balance and stability. Strong belly, back and hip muscles hold your spine steady."
    ),
    Exercise.Category.POSTURE: _("Alignment that takes pressure off your lower back when you sit, stand and move."),
    Exercise.Category.RANGE_OF_MOTION: _(
        "Stretches that help stiff joints and tight muscles move freely: active (you move), assisted (a towel, "
        "wall or person helps) or passive (you relax and let something else do the work)."
    ),
}
