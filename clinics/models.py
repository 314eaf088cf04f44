from functools import cached_property
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from phonenumber_field.modelfields import PhoneNumberField

from armorpt import images


def validate_timezone(value):
    if value not in available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as America/Detroit.")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ClinicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_display(self):
        return self.active().prefetch_related("opening_hours")


class Clinic(models.Model):
    class Drawing(models.TextChoices):
        # Drawn for this site: static/img/clinics/<value>.svg (none chosen: office.svg). Shown until there is a photo.
        __empty__ = "Two-storey office building"
        SUITE = "suite", "Suite in a row of shops"
        SINGLE_STOREY = "single-storey", "Single-storey building with a side entrance"
        MAIN_STREET = "main-street", "Brick shopfront on a main street"
        LAKESIDE = "lakeside", "House-style building near the lake"

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True, help_text="Part of the web address: /locations/<slug>/. Keep it stable.")
    street_address = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, default="MI")
    postal_code = models.CharField("ZIP code", max_length=10)
    phone = PhoneNumberField(help_text="Shown to patients and in every email about this clinic.")
    front_desk_email = models.EmailField(help_text="Receives a notice of each new online booking.")
    timezone = models.CharField(max_length=64, default="America/Detroit", validators=[validate_timezone])
    directions = models.TextField(blank=True, help_text="Parking, entrance, accessibility: shown on the clinic page.")
    confirms_online_bookings = models.BooleanField(
        "confirm online bookings at once",
        default=True,
        help_text="Off: online bookings wait as “requested” until the front desk confirms them.",
    )
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Inactive clinics are hidden from the site.")
    # Where the entrance is, so the clinic finder can put the nearest clinics first. Copy them from any
    # map (right-click the door): four decimals are about 10 m, plenty.
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="e.g. 42.2560. Empty: the clinic is listed after those with a known place.",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="e.g. -85.5906 (west of Greenwich is negative).",
    )
    photo = models.ImageField(
        upload_to="clinics/",
        blank=True,
        help_text="The building and its entrance as a patient arriving sees them (landscape works best). "
        "Until there is one, the drawing below is shown.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField(
        "photo described in words",
        max_length=200,
        blank=True,
        help_text="For people who cannot see it, e.g. “A one-storey brick building with a blue door and "
        "parking in front.” Empty: “The front of <clinic name>”.",
    )
    drawing = models.CharField(
        max_length=20,
        choices=Drawing.choices,
        blank=True,
        help_text="A drawing in the site’s style, shown while there is no photo.",
    )

    objects = ClinicQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.photo_width, self.photo_height = images.size_before_save(self.photo, self.photo_width, self.photo_height)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("location_detail", args=[self.slug])

    @property
    def photo_description(self):
        return self.photo_alt or _("The front of %(clinic)s") % {"clinic": self.name}

    @property
    def drawing_name(self):
        return self.drawing or "office"

    @cached_property
    def tz(self):
        return ZoneInfo(self.timezone)

    @property
    def address_one_line(self):
        return f"{self.street_address}, {self.city}, {self.state} {self.postal_code}"

    @property
    def phone_display(self):
        return self.phone.as_national if self.phone else ""

    @property
    def phone_uri(self):
        return f"tel:{self.phone.as_e164}" if self.phone else ""

    @property
    def map_url(self):
        # A link, not an embed: no third-party request until the patient follows it.
        return "https://www.openstreetmap.org/search?" + urlencode({"query": self.address_one_line})

    @property
    def directions_url(self):
        """Directions to the clinic: Google's maps link opens the Maps app on Android (and on iPhones
        that have it), or the web page elsewhere. static/js/directions.js swaps in Apple Maps on Apple devices."""
        return "https://www.google.com/maps/dir/?" + urlencode({"api": "1", "destination": self.address_one_line})

    @property
    def apple_maps_url(self):
        return "https://maps.apple.com/?" + urlencode({"daddr": self.address_one_line})


class OpeningHours(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["clinic", "weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(fields=["clinic", "weekday"], name="one_opening_hours_per_weekday"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_hours_close_after_open"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after opening time."})


class ClinicClosureQuerySet(models.QuerySet):
    def upcoming(self, today):
        return self.filter(date__gte=today)


class ClinicClosure(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=100, help_text="Shown to patients, e.g. “Thanksgiving Day”.")

    objects = ClinicClosureQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["clinic", "date"], name="one_closure_per_clinic_day")]

    def __str__(self):
        return f"{self.clinic} closed {self.date:%b %-d, %Y}: {self.reason}"


class Credential(models.Model):
    abbreviation = models.CharField(max_length=12, unique=True, help_text="As written after a name, e.g. OCS.")
    name = models.CharField(max_length=150, help_text="Spelled out for patients and search engines.")
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "abbreviation"]

    def __str__(self):
        return self.abbreviation


class SpecialistQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def bookable(self):
        return self.active().filter(accepts_new_patients=True)

    def for_display(self):
        return self.active().prefetch_related("credentials", Prefetch("clinics", queryset=Clinic.objects.active()))


class Specialist(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True, help_text="Part of the web address: /team/<slug>/. Keep it stable.")
    credentials = models.ManyToManyField(Credential, blank=True, related_name="specialists")
    title = models.CharField(max_length=100, help_text="e.g. Physical therapist, clinic director.")
    treats = models.CharField(
        "what they treat", max_length=250, blank=True, help_text="A short list, e.g. low back pain, running injuries."
    )
    bio = models.TextField(blank=True)
    photo = models.ImageField(
        upload_to="team/",
        blank=True,
        help_text="A friendly head-and-shoulders photo, upright (shown 4 wide by 5 high). Copies sized for "
        "phones are made when you save. Without a photo the site shows the person’s initials.",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    clinics = models.ManyToManyField(Clinic, related_name="specialists", blank=True)
    accepts_new_patients = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True, help_text="Inactive specialists are hidden from the site.")
    display_order = models.PositiveSmallIntegerField(default=0)

    objects = SpecialistQuerySet.as_manager()

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.photo_width, self.photo_height = images.size_before_save(self.photo, self.photo_width, self.photo_height)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("team_member", args=[self.slug])

    @property
    def initials(self):
        """Up to two letters, for the picture shown without a photo: “Dana Whitfield” → “DW”."""
        words = [w for w in self.name.replace("-", " ").split() if w[:1].isalpha()]
        picked = words[:1] + words[1:][-1:]
        return "".join(w[0] for w in picked).upper()

    @property
    def credentials_display(self):
        return ", ".join(c.abbreviation for c in self.credentials.all())

    @property
    def name_with_credentials(self):
        credentials = self.credentials_display
        return f"{self.name}, {credentials}" if credentials else self.name


# --- Staff and the clinics they work at -------------------------------------------------


class ClinicAccessQuerySet(models.QuerySet):
    def clinic_ids(self, user):
        return self.filter(user=user).values("clinic_id")


class ClinicAccess(models.Model):
    """A staff user works at a clinic: front desk and managers see and change only their clinics' data in admin."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="clinic_access")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="staff_access")

    objects = ClinicAccessQuerySet.as_manager()

    class Meta:
        ordering = ["clinic", "user"]
        verbose_name = verbose_name_plural = "clinic access"
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="one_access_per_user_and_clinic")]

    def __str__(self):
        return f"{self.user} at {self.clinic}"
