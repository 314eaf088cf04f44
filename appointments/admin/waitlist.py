"""The waitlist as the front desk sees it (rules in appointments.waitlist)."""

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from appointments import availability, waitlist
from appointments.admin.filters import DefaultChoiceFilter
from appointments.admin.schedule import schedule_url
from appointments.models import (
    Appointment,
    BookingRules,
    WaitlistEntry,
    WaitlistOffer,
)
from appointments.timefmt import format_short, format_when
from armorpt.admin import OutboundEmailInline, PhoneNumbersMixin
from clinics.admin import (
    ClinicScopedMixin,
)
from clinics.selectors import staff_clinics, staff_specialists


class WaitlistOfferInline(admin.TabularInline):
    model = WaitlistOffer
    extra = 0
    can_delete = False
    fields = ["when", "specialist", "created_at", "expires_at", "outcome", "answered_at", "booked"]
    readonly_fields = fields
    verbose_name_plural = "offers sent, and what came of them"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="time offered")
    def when(self, offer):
        return format_short(offer.start_local)

    @admin.display(description="visit booked")
    def booked(self, offer):
        if not offer.appointment_id:
            return "—"
        url = reverse("admin:appointments_appointment_change", args=[offer.appointment_id])
        return format_html('<a href="{}">{}</a>', url, offer.appointment.reference_display)


class WaitlistStatusFilter(DefaultChoiceFilter):
    title = "status"
    parameter_name = "status"
    default = WaitlistEntry.Status.WAITING

    def lookups(self, request, model_admin):
        return [*WaitlistEntry.Status.choices, ("all", "Any status")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(status=value) if value in WaitlistEntry.Status.values else queryset


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(PhoneNumbersMixin, ClinicScopedMixin, admin.ModelAdmin):
    """Who waits where, since when, for what; the offers they were sent. "Add" puts a caller in line."""

    list_display = ["patient", "clinic", "wants", "joined", "status", "offers_sent"]
    list_filter = [
        WaitlistStatusFilter,
        ("clinic", admin.RelatedOnlyFieldListFilter),
        ("specialist", admin.RelatedOnlyFieldListFilter),
        "source",
    ]
    list_select_related = ["clinic", "specialist"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    search_help_text = "Name, email or phone number."
    # First come, first served: the list reads in line order.
    ordering = ["created_at", "pk"]
    actions = ["take_off"]
    inlines = [WaitlistOfferInline, OutboundEmailInline]
    fieldsets = [
        (
            "Waiting for",
            {"fields": ["clinic", "specialist", ("first_day", "last_day"), ("mornings", "afternoons", "evenings")]},
        ),
        ("Patient", {"fields": ["first_name", "last_name", "phone", "email", "payment"]}),
        ("Record", {"fields": ["status", "source", "created_at", "ended_at", "consent_at", "erased_at"]}),
    ]
    readonly_fields = ["status", "source", "created_at", "ended_at", "consent_at", "erased_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(offer_count=Count("offers"))

    @admin.display(description="patient", ordering="last_name")
    def patient(self, entry):
        return entry.patient_name

    @admin.display(description="waiting for", ordering="first_day")
    def wants(self, entry):
        """'Anyone · Jun 15–28 · mornings and afternoons'"""
        first, last = entry.first_day, entry.last_day
        days = f"{first:%b} {first.day}–" + (f"{last.day}" if first.month == last.month else f"{last:%b} {last.day}")
        who = entry.specialist.name if entry.specialist else "Anyone"
        return f"{who} · {days} · {entry.parts_of_day_display}"

    @admin.display(description="joined", ordering="created_at")
    def joined(self, entry):
        return format_short(timezone.localtime(entry.created_at))

    @admin.display(description="times of day")
    def parts(self, entry):
        return entry.parts_of_day_display

    @admin.display(description="offers sent", ordering="offer_count")
    def offers_sent(self, entry):
        return entry.offer_count

    def get_changeform_initial_data(self, request):
        today = timezone.localdate()
        return {
            "first_day": today,
            "last_day": today + dt.timedelta(days=13),
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A caller the front desk puts in line: the same service (and confirmation email) as online.
        obj.source = Appointment.Source.PHONE
        waitlist.join(entry=obj)

    @admin.action(description="Take the selected patients off the waitlist", permissions=["change"])
    def take_off(self, request, queryset):
        left = [waitlist.leave(entry=entry) for entry in queryset.filter(status=WaitlistEntry.Status.WAITING)]
        for entry in left:
            self.log_change(request, entry, "Taken off the waitlist.")
        messages.success(request, f"Took {len(left)} patient(s) off the waitlist.")

    def get_urls(self):
        offer = self.admin_site.admin_view(self.offer_view)
        return [path("offer/", offer, name="appointments_waitlistentry_offer"), *super().get_urls()]

    def offer_view(self, request):
        """From the day view's free block: offer one of its online times to patients waiting in line."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        clinic = get_object_or_404(staff_clinics(request.user), pk=_int(request.GET.get("clinic")))
        specialist = get_object_or_404(staff_specialists(request.user), pk=_int(request.GET.get("specialist")))
        block = [availability.parse_start(request.GET.get(key, ""), clinic.tz) for key in ("from", "until")]
        if None in block:
            return HttpResponseBadRequest("The free block's times are missing or wrong.")
        starts = waitlist.bookable_starts(clinic=clinic, specialist=specialist, start=block[0], end=block[1])
        chosen = availability.parse_start(request.POST.get("start") or request.GET.get("start", ""), clinic.tz)
        start = next((slot.start for slot in starts if slot.start == chosen), starts[0].start if starts else None)
        if request.method == "POST" and start:
            ticked = [value for value in request.POST.getlist("entry") if value.isdigit()]
            entries = self.get_queryset(request).filter(pk__in=ticked, clinic=clinic)
            try:
                offers = waitlist.offer_time(clinic=clinic, specialist=specialist, start=start, entries=entries)
            except waitlist.WaitlistError as exc:
                messages.error(request, exc.message)
            else:
                when = format_when(start.astimezone(clinic.tz))
                for offer in offers:
                    self.log_change(request, offer.entry, f"Offered {when} with {specialist} (by the front desk).")
                if offers:
                    names = ", ".join(offer.entry.patient_name for offer in offers)
                    messages.success(request, f"Offered {when} with {specialist} to {names}. Each gets an email.")
                else:
                    messages.warning(
                        request, "Nobody was offered the time: each already had it or holds another offer."
                    )
                return HttpResponseRedirect(schedule_url("day", clinic, start.astimezone(clinic.tz).date()))
        rows = waitlist.in_line_for(clinic=clinic, specialist=specialist, start=start) if start else []
        # The next few in line who can take it are ticked; staff may tick others.
        ticked = [entry.pk for entry, why in rows if not why][: BookingRules.current().waitlist_offers_per_time]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Offer a time with {specialist} to the waitlist",
            "clinic": clinic,
            "specialist": specialist,
            "starts": [(slot.start.astimezone(clinic.tz), slot.start == start) for slot in starts],
            "when": format_when(start.astimezone(clinic.tz)) if start else "",
            "rows": [(entry, why, entry.pk in ticked) for entry, why in rows],
            "day_url": schedule_url("day", clinic, block[0].astimezone(clinic.tz).date()),
            # What "Show who is waiting" (a GET of the same form) must send again.
            "keep": [(key, request.GET[key]) for key in ("clinic", "specialist", "from", "until")],
        }
        return TemplateResponse(request, "appointments/waitlist/admin_offer.html", context)


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(ClinicScopedMixin, admin.ModelAdmin):
    """Every offer sent and its outcome, per clinic: what the waitlist fills."""

    clinic_lookup = "entry__clinic"
    list_display = ["when", "patient", "clinic", "specialist", "created_at", "expires_at", "outcome"]
    list_filter = ["outcome", ("entry__clinic", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["entry__clinic", "specialist"]
    search_fields = ["entry__first_name", "entry__last_name", "entry__email"]
    date_hierarchy = "start"
    readonly_fields = [
        "entry",
        "specialist",
        "start",
        "end",
        "expires_at",
        "outcome",
        "created_at",
        "answered_at",
        "appointment",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="time offered (clinic time)", ordering="start")
    def when(self, offer):
        return format_short(offer.start_local)

    @admin.display(description="patient", ordering="entry__last_name")
    def patient(self, offer):
        return offer.entry.patient_name

    @admin.display(description="clinic", ordering="entry__clinic__name")
    def clinic(self, offer):
        return offer.entry.clinic


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
