"""What patients ask before they book: which insurance a clinic takes, whether they need a
referral, what a visit costs without insurance, and the questions the front desk hears daily.

Staff keep all of it in the admin; the pages read it through practice.selectors.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appointments.models import AppointmentType
from clinics.models import Clinic


class InsurancePlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class InsurancePlan(models.Model):
    class Kind(models.TextChoices):
        # Shown to patients on the insurance page: translated (locale/parts/content).
        COMMERCIAL = "commercial", _("Commercial / employer plan")
        MEDICARE = "medicare", "Medicare"
        MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage"
        MEDICAID = "medicaid", "Medicaid"
        AUTO = "auto", _("Auto / no-fault")
        WORKERS_COMP = "workers_comp", _("Workers' compensation")
        OTHER = "other", pgettext_lazy("insurance plan kind", "Other")

    name = models.CharField(max_length=100, unique=True, help_text="As patients know it, e.g. “Priority Health”.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMERCIAL)
    needs_referral = models.BooleanField(
        "referral needed",
        default=False,
        help_text="This plan pays only with a doctor's referral or signed plan of care. Shown to patients.",
    )
    notes = models.CharField(
        max_length=200, blank=True, help_text="One short sentence for patients, e.g. “Call us to check your plan.”"
    )
    clinics = models.ManyToManyField(
        Clinic, related_name="insurance_plans", blank=True, help_text="Clinics in network."
    )
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Inactive plans are hidden from the site.")

    objects = InsurancePlanQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = "insurance plan"

    def __str__(self):
        return self.name


class SelfPayPrice(models.Model):
    """What a visit costs a patient who pays for it themselves."""

    appointment_type = models.OneToOneField(AppointmentType, on_delete=models.CASCADE, related_name="self_pay")
    price = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0)], help_text="US$.")
    notes = models.CharField(
        max_length=200, blank=True, help_text="One short sentence, e.g. “Paid at the visit; ask for a receipt.”"
    )

    class Meta:
        ordering = ["appointment_type__display_order"]
        verbose_name = "self-pay price"

    def __str__(self):
        return f"{self.appointment_type.name}: ${self.price}"


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Question(models.Model):
    class Topic(models.TextChoices):
        # The headings of the questions page: translated (locale/parts/content).
        INSURANCE = "insurance", _("Insurance and cost")
        REFERRAL = "referral", _("Referrals")
        FIRST_VISIT = "first_visit", _("Your first visit")
        CHANGES = "changes", _("Changing or cancelling")
        GETTING_HERE = "getting_here", _("Getting here")

    topic = models.CharField(max_length=20, choices=Topic.choices)
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    display_order = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(default=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "display_order", "pk"]

    def __str__(self):
        return self.question


class PracticeNote(models.Model):
    """A short text staff keep current that several pages show, e.g. the rule on seeing us without a referral."""

    class Key(models.TextChoices):
        DIRECT_ACCESS = "direct_access", "Seeing a physical therapist without a referral"

    key = models.CharField(max_length=30, choices=Key.choices, unique=True)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=250, help_text="One or two sentences, shown on clinic pages and at booking.")
    body = models.TextField(help_text="The full text for the insurance page; a blank line starts a new paragraph.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.title
