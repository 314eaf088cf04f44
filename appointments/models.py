import secrets
import uuid
from datetime import timedelta

from django.contrib.contenttypes.fields import GenericRelation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from appointments.timefmt import format_short
from armorpt.languages import language_field
from armorpt.models import SingleRow
from clinics.models import Clinic, Specialist, Weekday

TOKEN_SALT = "appointments.manage"
# No 0/O, 1/I/L: a reference read out over the phone must not be misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class BookingRules(SingleRow):
    """The practice's booking rules: one row, edited in admin."""

    minimum_notice_hours = models.PositiveSmallIntegerField(
        default=2, validators=[MaxValueValidator(24 * 14)], help_text="Online bookings start at least this far ahead."
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How far ahead patients can book online.",
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=30,
        choices=[(10, "10 minutes"), (15, "15 minutes"), (20, "20 minutes"), (30, "30 minutes"), (60, "60 minutes")],
        help_text="Start times offered online fall on this step from the start of a working block.",
    )
    change_cutoff_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Patients cannot cancel or reschedule online later than this before the visit."
    )
    max_upcoming_per_patient = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Upcoming online bookings one email address or phone number may hold at once.",
    )
    waitlist_offer_minutes = models.PositiveSmallIntegerField(
        "waitlist: minutes an offer is held",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="How long a waitlist patient's “book this time” link works; never past the minimum notice.",
    )
    waitlist_offers_per_time = models.PositiveSmallIntegerField(
        "waitlist: patients offered each time",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many patients next in line are offered a freed time at once. The first to book it gets it.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "booking rules"

    def __str__(self):
        return "Booking rules"

    @property
    def minimum_notice(self):
        return timedelta(hours=self.minimum_notice_hours)

    @property
    def horizon(self):
        return timedelta(days=self.horizon_days)

    @property
    def change_cutoff(self):
        return timedelta(hours=self.change_cutoff_hours)


class AppointmentTypeQuerySet(models.QuerySet):
    def online(self):
        return self.filter(bookable_online=True)


LONGEST_VISIT_MINUTES = 480


class AppointmentType(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(LONGEST_VISIT_MINUTES)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(120)], help_text="Kept free after each visit for notes and cleaning."
    )
    bookable_online = models.BooleanField(default=False, help_text="Patients can book this type on the website.")
    what_to_bring = models.TextField(blank=True, help_text="Shown on the confirmation page and in reminder emails.")
    display_order = models.PositiveSmallIntegerField(default=0)

    objects = AppointmentTypeQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"

    @property
    def duration(self):
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_after(self):
        return timedelta(minutes=self.buffer_after_minutes)


class WorkingHours(models.Model):
    specialist = models.ForeignKey(Specialist, on_delete=models.CASCADE, related_name="working_hours")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField("from")
    end_time = models.TimeField("until")

    # Rows that a form set saving this one together with them compares among themselves (their saved
    # times may be about to change or go), so clean() leaves them out of its look at the database.
    compared_elsewhere = frozenset()

    class Meta:
        ordering = ["specialist", "weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="working_hours_end_after_start"),
        ]

    def __str__(self):
        return f"{self.specialist} at {self.clinic}, {self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The block must end after it starts."})
        if self.specialist_id and self.clinic_id and not self.specialist.clinics.filter(pk=self.clinic_id).exists():
            raise ValidationError(
                {"clinic": f"{self.specialist} does not work at this clinic; add it to their clinics."}
            )
        if self.specialist_id and self.start_time and self.end_time and self._overlapping().exists():
            raise ValidationError(f"{self.specialist} already works at that time on {self.get_weekday_display()}.")

    def _overlapping(self):
        return (
            WorkingHours.objects.filter(specialist_id=self.specialist_id, weekday=self.weekday)
            .filter(start_time__lt=self.end_time, end_time__gt=self.start_time)
            .exclude(pk=self.pk)
            .exclude(pk__in=self.compared_elsewhere)
        )


class TimeOffQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def not_ended(self, now):
        """Upcoming and under way. The start bound says the same again (no visit is longer than
        LONGEST_VISIT_MINUTES) so that the start index answers it, not a walk through every past visit."""
        return self.filter(end__gte=now, start__gt=now - timedelta(minutes=LONGEST_VISIT_MINUTES))


class TimeOff(models.Model):
    specialist = models.ForeignKey(Specialist, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True, help_text="Staff only; never shown to patients.")

    objects = TimeOffQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="time_off_end_after_start")]

    def __str__(self):
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{self.specialist} away {format_short(start)} – {format_short(end)}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "Time off must end after it starts."})


class PatientQuerySet(models.QuerySet):
    def held(self):
        """Patients whose details are still kept (not erased under the retention rule)."""
        return self.filter(erased_at__isnull=True)


class Patient(models.Model):
    """One person the practice sees: the record the front desk finds a returning patient by.

    Each visit keeps its own copy of the details as booked (its emails, the retention purge and
    the CSV export read that copy). The rules (who is the same person, merging, erasing) are in
    appointments.patients.
    """

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Spanish"

    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    preferred_language = models.CharField(
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text="The language of their emails and pages, where the site has it.",
    )
    payment = models.CharField(
        "how they pay",
        max_length=120,
        blank=True,
        help_text="A plan's name, another plan, or paying themselves. Never a member number, and never in an email.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="Details erased under the retention rule: none of their visits keeps any."
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        # Only records still held are looked up; erased ones are history.
        indexes = [
            models.Index(fields=["phone"], condition=Q(erased_at__isnull=True), name="patient_phone"),
            models.Index(Upper("email"), condition=Q(erased_at__isnull=True), name="patient_email"),
            models.Index(fields=["date_of_birth"], condition=Q(erased_at__isnull=True), name="patient_date_of_birth"),
            models.Index(
                fields=["last_name", "first_name", "id"], condition=Q(erased_at__isnull=True), name="patient_name"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}".strip()


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Appointment.Status.CANCELLED)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def not_ended(self, now):
        """Upcoming and under way. The start bound says the same again (no visit is longer than
        LONGEST_VISIT_MINUTES) so that the start index answers it, not a walk through every past visit."""
        return self.filter(end__gte=now, start__gt=now - timedelta(minutes=LONGEST_VISIT_MINUTES))

    def upcoming(self, now):
        return self.filter(start__gte=now)

    def of_person(self, email, phone):
        """Visits of whoever has this email address or this phone number."""
        return self.filter(same_person(email, phone))

    def get_by_token(self, token):
        """The appointment a manage link points at, or None for a bad or tampered token."""
        return _by_key(self.select_related("clinic", "specialist", "appointment_type"), token, TOKEN_SALT, "manage_key")


def new_reference():
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Appointment(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        ARRIVED = "arrived", _("Arrived")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        PHONE = "phone", "Phone"
        WALK_IN = "walk_in", "Walk-in"

    class Reason(models.TextChoices):
        BACK_PAIN = "back-pain", _("Back pain")
        NECK_PAIN = "neck-pain", _("Neck pain")
        SPORTS_INJURY = "sports-injury", _("Sports injury")
        AFTER_SURGERY = "after-surgery", _("Recovery after surgery")
        OTHER = "other", _("Something else")

    reference = models.CharField(max_length=8, unique=True, default=new_reference, editable=False)
    manage_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # PROTECT: a patient record never disappears from under its visits; two records of one
    # person are merged (appointments.patients.merge), which moves the visits first.
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        db_index=False,  # the (patient, start) index below serves every lookup by patient
        help_text="The patient record this visit belongs to; the visit keeps its own copy of the details.",
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    specialist = models.ForeignKey(Specialist, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    reason = models.CharField("reason for visit", max_length=20, choices=Reason.choices, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    self_check_clear = models.BooleanField(
        "self-check: no warning signs",
        default=False,
        help_text="Booked for back pain straight after the online self-check, with no to every warning sign. "
        "The answers themselves are never kept.",
    )
    payment = models.CharField(
        "how they will pay",
        max_length=120,
        blank=True,
        help_text="As the patient said when booking: a plan's name, another plan, or paying themselves. "
        "Never a member number, and never in an email.",
    )
    consent_at = models.DateTimeField(null=True, blank=True, help_text="When the patient accepted the privacy notice.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    # Raised on every change of time or status, so calendar apps replace their copy.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="Patient details erased under the retention rule."
    )
    # The start time the reminder was queued for: the reminder job asks the database for visits
    # whose reminder is still to go, rather than reading every visit of the next day.
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    language = language_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    emails = GenericRelation("armorpt.OutboundEmail", related_query_name="appointment")

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        permissions = [("export_health_details", "Can export the reason for visit, notes and date of birth")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["specialist", "start"], name="appointment_specialist_start"),
            models.Index(fields=["clinic", "start"], name="appointment_clinic_start"),
            # "Upcoming" in the list, the reminders and the retention purge ask by end; the dashboard
            # counts recent bookings by created_at: without these both walk the whole history.
            models.Index(fields=["end"], name="appointment_end"),
            # With the clinic, so the dashboard counts this week's bookings per clinic from the index alone.
            models.Index(fields=["created_at", "clinic"], name="appointment_created_at_clinic"),
            # The dashboard's "waiting for confirmation" and "no-shows this week": a few rows each,
            # read without touching the visits around them.
            models.Index(
                fields=["start", "clinic"],
                condition=Q(status="requested", source="online"),
                name="appointment_waiting",
            ),
            models.Index(fields=["start", "clinic"], condition=Q(status="no_show"), name="appointment_no_shows"),
            models.Index(fields=["start"], name="appointment_start"),  # the reminders' next 24 hours
            # The retention purge looks only at what is still to erase, not at every visit ever.
            models.Index(
                fields=["start"],
                condition=Q(erased_at__isnull=True, status__in=["cancelled", "no_show"]),
                name="appointment_purge_cancelled",
            ),
            models.Index(fields=["end"], condition=Q(erased_at__isnull=True), name="appointment_purge_past"),
            # The reminders look only at visits not yet reminded of their time: a run with nothing due
            # reads no row, however many visits the next day holds (services.queue_due_reminders).
            models.Index(
                fields=["start"],
                condition=Q(erased_at__isnull=True) & ~Q(reminded_for=F("start")),
                name="appointment_to_remind",
            ),
            # A patient's visits, next or latest first (their page, merging, the purge of patients).
            models.Index(fields=["patient", "start"], name="appointment_patient_start"),
        ]

    def __str__(self):
        return f"{self.reference_display} {self.patient_name}, {format_short(self.start_local)}"

    @property
    def reference_display(self):
        return f"{self.reference[:4]}-{self.reference[4:]}"

    @property
    def patient_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def token(self):
        return _sign(self.manage_key, TOKEN_SALT)

    @property
    def start_local(self):
        return self.start.astimezone(self.clinic.tz)

    @property
    def end_local(self):
        return self.end.astimezone(self.clinic.tz)

    @property
    def is_active(self):
        return self.status != self.Status.CANCELLED

    @property
    def blocked_until(self):
        """The end of the time this visit keeps the specialist busy, buffer included."""
        return self.end + self.appointment_type.buffer_after


# --- The waitlist (its rules are in appointments.waitlist) ------------------------------------

WAITLIST_SALT = "appointments.waitlist"
OFFER_SALT = "appointments.waitlist.offer"
# The longest stretch of days one waitlist entry may ask for.
WAITLIST_MAX_DAYS = 30


def _sign(key, salt):
    """The unguessable token of a link: a row's random key, signed (never a database id)."""
    return signing.Signer(salt=salt).sign(key.hex)


def _by_key(queryset, token, salt, field="key"):
    """The row a link's token points at, or None for a bad or tampered token."""
    try:
        return queryset.get(**{field: uuid.UUID(hex=signing.Signer(salt=salt).unsign(token))})
    except (signing.BadSignature, ValueError, queryset.model.DoesNotExist):
        return None


def same_person(email, phone):
    """One person, for the limits on bookings and waitlists: the same email address or phone number."""
    same = Q(email__iexact=email) if email else Q(pk__in=[])
    return same | Q(phone=str(phone)) if phone else same


class PartOfDay(models.TextChoices):
    """Parts of the day a waitlisted patient can come, by the visit's start in clinic time."""

    MORNING = "morning", _("Mornings (before noon)")
    AFTERNOON = "afternoon", _("Afternoons (noon to 5 PM)")
    EVENING = "evening", _("Evenings (5 PM or later)")

    @classmethod
    def of(cls, local):
        if local.hour < 12:
            return cls.MORNING
        return cls.AFTERNOON if local.hour < 17 else cls.EVENING


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=WaitlistEntry.Status.WAITING)

    def of_person(self, email, phone):
        """Entries of whoever has this email address or this phone number."""
        return self.filter(same_person(email, phone))

    def get_by_token(self, token):
        return _by_key(self.select_related("clinic", "specialist"), token, WAITLIST_SALT)


class WaitlistEntry(models.Model):
    """A patient waiting for a time at one clinic: who, which days and parts of the day, since when."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked from an offer"
        LEFT = "left", "Left the waitlist"
        EXPIRED = "expired", "Dates passed"

    key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="waitlist_entries")
    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_entries",
        help_text="Empty: any specialist at the clinic.",
    )
    first_day = models.DateField("from", help_text="The first day that suits (the clinic's dates).")
    last_day = models.DateField("until", help_text=f"The last day that suits; at most {WAITLIST_MAX_DAYS} days in all.")
    mornings = models.BooleanField(default=True, help_text="Before noon.")
    afternoons = models.BooleanField(default=True, help_text="Noon to 5 PM.")
    evenings = models.BooleanField(default=True, help_text="5 PM or later.")
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    email = models.EmailField(help_text="Offers go out by email: without one the waitlist cannot reach the patient.")
    phone = PhoneNumberField(blank=True)
    payment = models.CharField(
        "how they will pay",
        max_length=120,
        blank=True,
        help_text="As the patient said: a plan's name, another plan, or paying themselves. Never in an email.",
    )
    source = models.CharField(
        "joined by", max_length=10, choices=Appointment.Source.choices, default=Appointment.Source.ONLINE
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    consent_at = models.DateTimeField(null=True, blank=True, help_text="When the patient accepted the privacy notice.")
    language = language_field()
    created_at = models.DateTimeField("joined", auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When the entry stopped waiting.")
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="Patient details erased under the retention rule."
    )

    emails = GenericRelation("armorpt.OutboundEmail", related_query_name="waitlist_entry")

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        # First come, first served.
        ordering = ["created_at", "pk"]
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist"
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="waitlist_entry_days_in_order"),
        ]
        indexes = [models.Index(fields=["clinic", "status", "created_at"], name="waitlist_entry_in_line")]

    def __str__(self):
        return f"{self.patient_name} waiting at {self.clinic}" if self.clinic_id else self.patient_name

    def clean(self):
        if self.first_day and self.last_day:
            if self.last_day < self.first_day:
                raise ValidationError({"last_day": "The last day must come after the first."})
            if (self.last_day - self.first_day).days >= WAITLIST_MAX_DAYS:
                raise ValidationError({"last_day": f"Choose {WAITLIST_MAX_DAYS} days or fewer."})
        if self.specialist_id and self.clinic_id and not self.specialist.clinics.filter(pk=self.clinic_id).exists():
            raise ValidationError({"specialist": f"{self.specialist} does not work at this clinic."})

    @property
    def token(self):
        return _sign(self.key, WAITLIST_SALT)

    @property
    def patient_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def parts_of_day(self):
        chosen = [(PartOfDay.MORNING, self.mornings), (PartOfDay.AFTERNOON, self.afternoons)]
        return [part for part, wanted in [*chosen, (PartOfDay.EVENING, self.evenings)] if wanted]

    @property
    def parts_of_day_display(self):
        """'mornings and afternoons', or 'any time of day'."""
        parts = self.parts_of_day
        if len(parts) in (0, 3):
            return "any time of day"
        words = [part.label.split(" (")[0].lower() for part in parts]
        return " and ".join(words)

    def suits(self, start):
        """Whether a visit at `start` (UTC) falls on this entry's days and parts of the day, in clinic time."""
        local = start.astimezone(self.clinic.tz)
        return self.first_day <= local.date() <= self.last_day and PartOfDay.of(local) in (
            self.parts_of_day or list(PartOfDay)
        )


class WaitlistOfferQuerySet(models.QuerySet):
    def open(self, now):
        """Offers sent and not answered, whose link still works at `now`."""
        return self.filter(outcome=WaitlistOffer.Outcome.OPEN, expires_at__gt=now)

    def get_by_token(self, token):
        return _by_key(self.select_related("entry__clinic", "entry__specialist", "specialist"), token, OFFER_SALT)


class WaitlistOffer(models.Model):
    """One freed time offered to one waitlist entry, by email with a link to book it."""

    class Outcome(models.TextChoices):
        OPEN = "open", "Sent"
        BOOKED = "booked", "Booked it"
        TAKEN = "taken", "Too late: already taken"
        EXPIRED = "expired", "Not answered in time"
        CLOSED = "closed", "Closed: the patient booked or left"

    key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_offers",
        help_text="Empty: whoever is free at that time.",
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    expires_at = models.DateTimeField("link works until")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN, db_index=True)
    created_at = models.DateTimeField("sent", auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="waitlist_offers"
    )

    objects = WaitlistOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A freed time goes to an entry once, however often the task that offers it runs.
            models.UniqueConstraint(fields=["entry", "start"], name="waitlist_offer_once_per_entry_and_time"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="waitlist_offer_end_after_start"),
        ]
        indexes = [models.Index(fields=["start"], name="waitlist_offer_start")]

    def __str__(self):
        return f"{self.entry.patient_name}: {self.start_local:%a %b} {self.start_local.day} {self.start_local:%H:%M}"

    @property
    def token(self):
        return _sign(self.key, OFFER_SALT)

    @property
    def start_local(self):
        return self.start.astimezone(self.entry.clinic.tz)


class FreedTime(models.Model):
    """A stretch a schedule change freed (time off removed, hours added, a closure lifted), to offer to the waitlist.

    Written in the change's transaction and worked by a task after it commits: the task reads the
    schedule as saved, and a row whose task was lost (the broker was down) is worked by the next sweep.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    specialist = models.ForeignKey(Specialist, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.clinic} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"


class WeeklyBookings(models.Model):
    """How many visits a clinic booked in a finished week (appointments.weekly), for the dashboard's chart.

    A finished week never changes, so it is counted once. A row without a clinic marks a week as
    counted (its count is the practice's total), so a clinic with no booking that week needs no row.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, null=True, related_name="+")
    week = models.DateField(help_text="The Monday the week starts on, in the practice's time zone.")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "week"], name="weekly_bookings_once_per_clinic"),
            models.UniqueConstraint(
                fields=["week"], condition=Q(clinic__isnull=True), name="weekly_bookings_week_counted_once"
            ),
        ]
        indexes = [models.Index(fields=["week", "clinic"], name="weekly_bookings_week")]

    def __str__(self):
        return f"{self.clinic or 'All clinics'}, week of {self.week}: {self.count}"
