"""The waitlist: patients who found no time that suits them, offered times as they free up.

The rules, in one place (the patient pages, the admin, the services and the tasks call these):

- An entry waits at one clinic for any specialist or one named, on a stretch of at most 30 of the
  clinic's days, in the parts of the day that suit (mornings before noon, afternoons to 5 PM,
  evenings). One person (email address or phone number) waits in at most
  `BookingRules.max_upcoming_per_patient` lines at once, as with bookings.
- A time frees up when a visit is cancelled or moved away (services call `visit_freed` inside their
  transaction, so the offers are written with the change), or when time off is removed or shortened,
  working hours are added or widened, or a closure is lifted (`connect_signals`: a `FreedTime` row
  written in the change's transaction, worked by a task once it commits, so the offers read the
  schedule as saved, not half-way through an admin form; a row whose task was lost is worked by the
  next `refill`).
- The free online times in a freed stretch (minimum notice and horizon as for any booking), picked
  so that no two overlap, go each to the next `BookingRules.waitlist_offers_per_time` entries in line
  (first come, first served) that they suit. An entry holds one open offer at a time, a person never
  holds two open offers for overlapping times, and an entry is offered a time once (a unique
  constraint on entry and start): running the same change twice offers nothing more.
- Each offer is an outbox email whose link works for `BookingRules.waitlist_offer_minutes`, and never
  past the time's own online deadline (minimum notice).
- Claiming books through `services.book_appointment` (the clinic and specialist locks, PostgreSQL's
  exclusion constraint): the first claim books and ends the entry; a later one is told the time was
  taken, and its entry stays in line.
- Offers not answered in time expire, and their times go to the next in line (`refill`, every minute).
- Entries whose days have passed stop waiting; the nightly purge erases the details of entries that
  ended `RETENTION_WAITLIST_DAYS` ago, and the emails about them.
- A patient's emails are written in the language they joined in (`WaitlistEntry.language`), also
  when a task or the front desk sends them; the visit an offer books keeps that language.
"""

import datetime as dt
import logging
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from appointments import availability
from appointments.models import (
    Appointment,
    BookingRules,
    FreedTime,
    PartOfDay,
    TimeOff,
    WaitlistEntry,
    WaitlistOffer,
    WorkingHours,
)
from appointments.tasks import offer_freed_times as offer_freed_times_task
from appointments.timefmt import format_day, format_time, format_when
from armorpt.emails import new_email, queue_email, queue_emails
from armorpt.handoff import after_commit
from armorpt.models import OutboundEmail
from clinics.models import Clinic, ClinicClosure, Specialist

logger = logging.getLogger(__name__)

Waiting = WaitlistEntry.Status
Outcome = WaitlistOffer.Outcome
UTC = dt.UTC
# Nobody reads an email and books in less: a time closer than this to its online deadline is not offered.
SHORTEST_OFFER = dt.timedelta(minutes=10)
# A freed time whose task has not run after this long lost it (the broker was down): refill works it.
FREED_SWEEP_AFTER = dt.timedelta(minutes=1)
JOINED_AGAIN_WITHIN = dt.timedelta(hours=1)
ERASED_NAME = "(erased)"
TAKEN = gettext_lazy(
    "This time was just taken by someone else. You are still on the waitlist: we will email you when another time opens."
)


class WaitlistError(Exception):
    """Something the waitlist refuses; `message` is written for the patient or staff."""

    field = None

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class TooManyEntries(WaitlistError):
    field = "email"


class OfferEnded(WaitlistError):
    """The offer's link no longer books: answered, not answered in time, or its entry stopped waiting."""


class TimeTaken(WaitlistError):
    """Someone else booked the time first; the entry stays in line."""


# --- Joining and leaving ----------------------------------------------------------------------


def join(*, entry: WaitlistEntry, now: dt.datetime | None = None) -> WaitlistEntry:
    """Put `entry` (unsaved: from the join form or the front desk) in line and email its confirmation.

    Online, a person already waiting in as many lines as they may book visits is refused
    (TooManyEntries), and the same form sent twice within the hour returns the first entry.
    """
    now = now or timezone.now()
    online = entry.source == Appointment.Source.ONLINE
    with transaction.atomic():
        # Joins at one clinic take turns, so a form sent twice finds the first entry.
        Clinic.objects.select_for_update().get(pk=entry.clinic_id)
        if online:
            if same := _same_request(entry, now):
                return same
            _check_limit(entry)
        entry.save()
        _email_joined(entry)
    return entry


def _same_request(entry, now):
    return (
        WaitlistEntry.objects.waiting()
        .filter(
            clinic=entry.clinic_id,
            specialist=entry.specialist_id,
            email__iexact=entry.email,
            phone=str(entry.phone or ""),
            first_name__iexact=entry.first_name,
            last_name__iexact=entry.last_name,
            created_at__gte=now - JOINED_AGAIN_WITHIN,
        )
        .first()
    )


def _check_limit(entry):
    held = WaitlistEntry.objects.waiting().of_person(entry.email, entry.phone).count()
    if held >= BookingRules.current().max_upcoming_per_patient:
        clinic = entry.clinic
        raise TooManyEntries(
            ngettext(
                "You are already on %(count)s waitlist, the most we allow. Leave it with the link in its email, "
                "or call %(clinic)s at %(phone)s.",
                "You are already on %(count)s waitlists, the most we allow. Leave one with the link in its email, "
                "or call %(clinic)s at %(phone)s.",
                held,
            )
            % {"count": held, "clinic": clinic.name, "phone": clinic.phone_display}
        )


def leave(*, entry: WaitlistEntry, now: dt.datetime | None = None) -> WaitlistEntry:
    """Take `entry` off the waitlist (the patient's link or the front desk); an open offer goes to the next in line."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Waiting.WAITING:
            return entry
        entry.status, entry.ended_at = Waiting.LEFT, now
        entry.save(update_fields=["status", "ended_at"])
        _pass_on(entry.offers.open(now).select_related("entry__clinic"), Outcome.CLOSED, now)
    return entry


def _pass_on(offers, outcome, now):
    """End `offers` with `outcome`, and offer each time to the next in line."""
    offers = list(offers)
    WaitlistOffer.objects.filter(pk__in=[o.pk for o in offers]).update(outcome=outcome, answered_at=now)
    made = 0
    for clinic, specialist, start, end in {(o.entry.clinic, o.specialist, o.start, o.end) for o in offers}:
        made += len(offer_freed_time(clinic=clinic, specialist=specialist, start=start, end=end, now=now))
    return made


# --- Times freed ------------------------------------------------------------------------------


def visit_freed(
    appointment: Appointment,
    *,
    start: dt.datetime | None = None,
    specialist: Specialist | None = None,
    now: dt.datetime | None = None,
) -> list[WaitlistOffer]:
    """A visit was cancelled, or moved away from `start` with `specialist`: offer the time it held.

    Called by the services inside their transaction, so the offers are written with the change.
    """
    start = start or appointment.start
    return offer_freed_time(
        clinic=appointment.clinic,
        specialist=specialist or appointment.specialist,
        start=start,
        end=start + appointment.appointment_type.duration + appointment.appointment_type.buffer_after,
        around=start,
        was_booked=True,
        now=now,
    )


def offer_freed_time(
    *,
    clinic: Clinic,
    specialist: Specialist | None,
    start: dt.datetime,
    end: dt.datetime,
    around: dt.datetime | None = None,
    was_booked: bool = False,
    now: dt.datetime | None = None,
) -> list[WaitlistOffer]:
    """Offer the free online times whose visit lies partly in [start, end) at `clinic`, with `specialist`
    (None: anyone), to the next entries in line, those nearest `around` (default: the earliest) first.
    `was_booked`: the stretch was a visit, which a new visit's buffer had to clear too (time off,
    hours and closures only the visit itself). Running it again for the same stretch offers nothing more.
    """
    now = now or timezone.now()
    if not WaitlistEntry.objects.waiting().filter(clinic=clinic).exists():
        return []  # the usual case, in one query
    rules = BookingRules.current()
    kind = availability.online_type()
    if kind is None:
        return []
    reach = kind.duration + (kind.buffer_after if was_booked else dt.timedelta())
    first = (start - reach).astimezone(clinic.tz).date()
    last = end.astimezone(clinic.tz).date()
    slots = availability.slots_for_clinics(
        [clinic],
        now=now,
        days=(last - first).days + 1,
        first_day=first,
        appointment_type=kind,
        specialist=specialist,
        rules=rules,
    )[clinic.pk]
    freed = [slot for slot in slots if slot.start < end and slot.start + reach > start]
    return _offer(clinic, _apart(freed, around or start, kind), rules=rules, kind=kind, now=now)


def _apart(slots, around, kind):
    """Slots of which no two visits (with their buffer) overlap, nearest to `around` first: a freed hour
    is offered as the one visit it holds, not as four overlapping ones of which only one can be booked."""
    length = kind.duration + kind.buffer_after
    picked = []
    for slot in sorted(slots, key=lambda s: (abs(s.start - around), s.start)):
        if all(abs(slot.start - other.start) >= length for other in picked):
            picked.append(slot)
    return picked


@transaction.atomic
def _offer(clinic, slots, *, rules, kind, now, chosen=None, specialist=None):
    """Offer each slot to the next entries in line (or to the `chosen` entries, by the front desk)."""
    slots = [slot for slot in slots if _expiry(slot.start, rules, now) - now >= SHORTEST_OFFER]
    if not slots:
        return []
    days = [slot.start.astimezone(clinic.tz).date() for slot in slots]
    line = WaitlistEntry.objects.waiting().filter(clinic=clinic, first_day__lte=max(days), last_day__gte=min(days))
    if chosen is not None:
        line = line.filter(pk__in=[entry.pk for entry in chosen])
    # Locked in line order: two changes offering at once never hand one entry two offers.
    line = list(
        line.select_related("clinic", "specialist").select_for_update(of=("self",)).order_by("created_at", "pk")
    )
    if not line:
        return []
    starts = [slot.start for slot in slots]
    offered = set(WaitlistOffer.objects.filter(entry__in=line, start__in=starts).values_list("entry_id", "start"))
    holding = _open_offers(now)
    held = Counter(
        WaitlistOffer.objects.open(now).filter(entry__clinic=clinic, start__in=starts).values_list("start", flat=True)
    )
    made = []
    for slot in slots:
        wanted = len(line) if chosen is not None else rules.waitlist_offers_per_time - held[slot.start]
        end = slot.start + kind.duration
        for entry in line:
            if wanted <= 0:
                break
            if (entry.pk, slot.start) in offered or _holds_offer(entry, slot.start, end, holding):
                continue
            if entry.specialist_id is not None and entry.specialist_id not in slot.specialist_ids:
                continue
            # The front desk may pass over the parts of the day: the patient may have said so on the phone.
            if chosen is None and not entry.suits(slot.start):
                continue
            offer = WaitlistOffer(
                entry=entry,
                specialist=specialist or entry.specialist,
                start=slot.start,
                end=end,
                expires_at=_expiry(slot.start, rules, now),
            )
            made.append((offer, slot))
            holding.append((entry.pk, entry.email.lower(), str(entry.phone or ""), slot.start, end))
            wanted -= 1
    return _save_offers(made, kind)


def _expiry(start, rules, now):
    """Until when an offer made `now` for `start` may be booked: its hold, never past the online deadline."""
    return min(now + dt.timedelta(minutes=rules.waitlist_offer_minutes), start - rules.minimum_notice)


def _open_offers(now):
    """(entry id, email, phone, start, end) of every open offer: one per waiting entry at most."""
    return [
        (entry_id, email.lower(), str(phone or ""), start, end)
        for entry_id, email, phone, start, end in WaitlistOffer.objects.open(now).values_list(
            "entry_id", "entry__email", "entry__phone", "start", "end"
        )
    ]


def _holds_offer(entry, start, end, holding):
    """The entry holds an open offer, or its person one for a time overlapping [start, end)."""
    email, phone = entry.email.lower(), str(entry.phone or "")
    for entry_id, other_email, other_phone, other_start, other_end in holding:
        if entry_id == entry.pk:
            return True
        same_person = (email and email == other_email) or (phone and phone == other_phone)
        if same_person and other_start < end and start < other_end:
            return True
    return False


def _save_offers(made, kind):
    if not made:
        return []
    # The unique constraint on entry and start is the last word: a row another process wrote a moment
    # ago is left out, and so is its email.
    WaitlistOffer.objects.bulk_create([offer for offer, _ in made], ignore_conflicts=True)
    saved = set(WaitlistOffer.objects.filter(key__in=[o.key for o, _ in made]).values_list("key", flat=True))
    made = [(offer, slot) for offer, slot in made if offer.key in saved]
    names = _names({pk for _, slot in made for pk in slot.specialist_ids})
    queue_emails([_offer_email(offer, slot, kind, names) for offer, slot in made])
    return [offer for offer, _ in made]


def _names(ids):
    return {
        person.pk: person.name_with_credentials
        for person in Specialist.objects.filter(pk__in=ids).prefetch_related("credentials")
    }


# --- Schedule changes (signals) ---------------------------------------------------------------


def connect_signals():
    """Time off removed or shortened, hours added or widened, a closure lifted: a FreedTime to offer after commit."""
    uid = "appointments.waitlist"
    for model in (TimeOff, WorkingHours, ClinicClosure):
        pre_save.connect(_remember, sender=model, dispatch_uid=f"{uid}.{model.__name__}-pre")
    post_save.connect(_time_off_saved, sender=TimeOff, dispatch_uid=f"{uid}.away-save")
    post_delete.connect(_time_off_deleted, sender=TimeOff, dispatch_uid=f"{uid}.away-delete")
    post_save.connect(_hours_saved, sender=WorkingHours, dispatch_uid=f"{uid}.hours-save")
    post_save.connect(_closure_saved, sender=ClinicClosure, dispatch_uid=f"{uid}.closure-save")
    post_delete.connect(_closure_deleted, sender=ClinicClosure, dispatch_uid=f"{uid}.closure-delete")


def _remember(sender, instance, raw=False, **kwargs):
    instance._waitlist_previous = sender.objects.filter(pk=instance.pk).first() if instance.pk and not raw else None


def _time_off_saved(sender, instance, raw=False, **kwargs):
    if (old := getattr(instance, "_waitlist_previous", None)) and not raw:
        # The whole of the old stretch: whatever the new one still covers is not free, and is not offered.
        _freed(_clinics_of(old.specialist_id), old.specialist_id, lambda clinic: [(old.start, old.end)])


def _time_off_deleted(sender, instance, **kwargs):
    _freed(_clinics_of(instance.specialist_id), instance.specialist_id, lambda clinic: [(instance.start, instance.end)])


def _hours_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, "_waitlist_previous", None)
    pieces = [(instance.start_time, instance.end_time)]
    if old and (old.specialist_id, old.clinic_id, old.weekday) == (
        instance.specialist_id,
        instance.clinic_id,
        instance.weekday,
    ):
        pieces = _minus(instance.start_time, instance.end_time, old.start_time, old.end_time)

    def stretches(clinic):
        days = _coming(clinic, instance.weekday)
        return [(_at(day, a, clinic.tz), _at(day, b, clinic.tz)) for day in days for a, b in pieces]

    _freed([instance.clinic_id], instance.specialist_id, stretches)


def _closure_saved(sender, instance, raw=False, **kwargs):
    old = getattr(instance, "_waitlist_previous", None)
    if old and not raw and (old.clinic_id, old.date) != (instance.clinic_id, instance.date):
        _closure_deleted(sender, old)


def _closure_deleted(sender, instance, **kwargs):
    day = instance.date
    _freed(
        [instance.clinic_id],
        None,
        lambda clinic: [(_at(day, dt.time(), clinic.tz), _at(day + dt.timedelta(days=1), dt.time(), clinic.tz))],
    )


def _clinics_of(specialist_id):
    return set(WorkingHours.objects.filter(specialist_id=specialist_id).values_list("clinic_id", flat=True))


def _minus(start, end, old_start, old_end):
    """The parts of the time-of-day block start–end that old_start–old_end did not cover."""
    pieces = [(start, min(end, old_start)), (max(start, old_end), end)]
    return [(a, b) for a, b in pieces if a < b]


def _at(day, time, tz):
    return dt.datetime.combine(day, time, tz).astimezone(UTC)


def _coming(clinic, weekday):
    """The clinic's dates on `weekday` from today to the end of the booking horizon."""
    today = availability.local_today(clinic, timezone.now())
    horizon = BookingRules.current().horizon_days
    return [today + dt.timedelta(n) for n in range(horizon + 1) if (today + dt.timedelta(n)).weekday() == weekday]


def _freed(clinic_ids, specialist_id, stretches):
    """Write what a change freed (`stretches(clinic)`) at those of `clinic_ids` where someone waits, and
    work it once the change commits. Nobody waiting: one query, nothing written."""
    clinics = Clinic.objects.filter(pk__in=clinic_ids, waitlist_entries__status=Waiting.WAITING).distinct()
    rows = FreedTime.objects.bulk_create(
        FreedTime(clinic=clinic, specialist_id=specialist_id, start=start, end=end)
        for clinic in clinics
        for start, end in stretches(clinic)
        if start < end
    )
    if rows:
        after_commit(offer_freed_times_task, [row.pk for row in rows])


def work_freed_times(ids: list[int] | None = None, *, now: dt.datetime | None = None) -> int:
    """Offer the times that schedule changes freed: the rows `ids` (the task after commit), or the rows
    whose task was lost. Each row is worked once, in the same transaction as its offers."""
    now = now or timezone.now()
    rows = FreedTime.objects.filter(offered_at__isnull=True)
    rows = rows.filter(pk__in=ids) if ids is not None else rows.filter(created_at__lte=now - FREED_SWEEP_AFTER)
    made = 0
    for pk in rows.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            row = (
                FreedTime.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("clinic", "specialist")
                .filter(pk=pk, offered_at__isnull=True)
                .first()
            )
            if row is None:  # another worker has it, or had it
                continue
            made += len(
                offer_freed_time(clinic=row.clinic, specialist=row.specialist, start=row.start, end=row.end, now=now)
            )
            row.offered_at = now
            row.save(update_fields=["offered_at"])
    return made


# --- Claiming an offer ------------------------------------------------------------------------


def claim(*, offer: WaitlistOffer, now: dt.datetime | None = None) -> Appointment:
    """Book the offered time for the entry's patient; the booking ends the entry.

    Raises TimeTaken when someone else was faster (the entry stays in line), OfferEnded when the
    link no longer books, and services.TooManyBookings as any online booking would.
    """
    from appointments import services  # services calls this module when a visit frees a time

    now = now or timezone.now()
    check_open(offer, now)  # a repeated or late tap goes no further
    with transaction.atomic():
        try:
            appointment = services.book_appointment(
                clinic=offer.entry.clinic,
                start=offer.start,
                specialist=offer.specialist,
                patient=services.Patient(
                    first_name=offer.entry.first_name,
                    last_name=offer.entry.last_name,
                    email=offer.entry.email,
                    phone=str(offer.entry.phone or ""),
                    payment=offer.entry.payment,
                    consented_at=offer.entry.consent_at or now,
                    # The visit's emails are written in the language the patient joined in.
                    language=offer.entry.language,
                ),
                now=now,
            )
        except services.SlotUnavailable:
            appointment = None
        # After the booking's clinic and specialist, the entry, then its offer: the order every change takes.
        WaitlistEntry.objects.select_for_update().filter(pk=offer.entry_id).first()
        offer = WaitlistOffer.objects.select_for_update(of=("self",)).select_related("entry__clinic").get(pk=offer.pk)
        check_open(offer, now)  # raising here undoes the booking above
        offer.answered_at = now
        if appointment is None:
            offer.outcome = Outcome.TAKEN
            offer.save(update_fields=["outcome", "answered_at"])
        else:
            offer.outcome, offer.appointment = Outcome.BOOKED, appointment
            offer.save(update_fields=["outcome", "answered_at", "appointment"])
            WaitlistEntry.objects.filter(pk=offer.entry_id).update(status=Waiting.BOOKED, ended_at=now)
            _close_taken(offer.entry.clinic, appointment, now)
    if appointment is None:
        raise TimeTaken(TAKEN)
    return appointment


def check_open(offer, now):
    entry = offer.entry
    if offer.outcome == Outcome.TAKEN:
        raise TimeTaken(TAKEN)
    if offer.outcome == Outcome.BOOKED:
        raise OfferEnded(_("You booked this time already."))
    if entry.status != Waiting.WAITING or entry.erased_at:
        raise OfferEnded(_("This offer has ended: you are no longer on this waitlist."))
    if offer.outcome != Outcome.OPEN or now >= offer.expires_at:
        raise OfferEnded(
            _(
                "This offer has ended: we held the time for you until %(until)s. "
                "You are still on the waitlist: we will email you when another time opens."
            )
            % {"until": held_until(offer)}
        )


def _close_taken(clinic, appointment, now):
    """Mark taken the other open offers this booking made impossible, so their patients can be offered the
    next time at once instead of holding a dead offer. Offers another specialist can still take stay open."""
    kind = availability.online_type()
    window = availability.Window.for_patients(BookingRules.current(), now)
    nearby = WaitlistOffer.objects.open(now).filter(
        entry__clinic=clinic, start__lt=appointment.blocked_until, end__gt=appointment.start - kind.buffer_after
    )
    times = {(offer.start, offer.specialist_id) for offer in nearby}
    gone = {
        (start, specialist_id)
        for start, specialist_id in times
        if not availability.free_at(
            clinic=clinic,
            start=start,
            appointment_type=kind,
            window=window,
            specialist=Specialist(pk=specialist_id) if specialist_id else None,
        )
    }
    for start, specialist_id in gone:
        nearby.filter(start=start, specialist_id=specialist_id).update(outcome=Outcome.TAKEN, answered_at=now)


def free_with(offer: WaitlistOffer, now: dt.datetime | None = None) -> list[Specialist]:
    """Who could see the patient at the offered time now (none: it was taken); the offer page asks."""
    now = now or timezone.now()
    ids = availability.free_at(
        clinic=offer.entry.clinic,
        start=offer.start,
        appointment_type=availability.online_type(),
        window=availability.Window.for_patients(BookingRules.current(), now),
        specialist=offer.specialist,
    )
    return list(Specialist.objects.filter(pk__in=ids).prefetch_related("credentials").order_by("pk"))


# --- The front desk offers a time (from the day view) -----------------------------------------


def bookable_starts(*, clinic: Clinic, specialist: Specialist, start: dt.datetime, end: dt.datetime, now=None):
    """The online start times with `specialist` in [start, end): what the front desk may offer from a free block."""
    now = now or timezone.now()
    day = start.astimezone(clinic.tz).date()
    slots = availability.slots_for_clinics(
        [clinic], now=now, days=1, first_day=day, appointment_type=availability.online_type(), specialist=specialist
    )[clinic.pk]
    return [slot for slot in slots if start <= slot.start < end]


def in_line_for(*, clinic: Clinic, specialist: Specialist, start: dt.datetime, now=None):
    """[(entry, what stands in the way or "")] of the waiting entries at `clinic` who could take `start`
    with `specialist`, in line order; the first `waitlist_offers_per_time` free ones are ticked."""
    now = now or timezone.now()
    kind = availability.online_type()
    day = start.astimezone(clinic.tz).date()
    entries = list(
        WaitlistEntry.objects.waiting()
        .filter(Q(specialist__isnull=True) | Q(specialist=specialist))
        .filter(clinic=clinic, first_day__lte=day, last_day__gte=day)
        .select_related("clinic", "specialist")
    )
    offered = set(WaitlistOffer.objects.filter(entry__in=entries, start=start).values_list("entry_id", flat=True))
    holding = _open_offers(now)
    rows = []
    for entry in entries:
        if entry.pk in offered:
            reason = "already offered this time"
        elif _holds_offer(entry, start, start + kind.duration, holding):
            reason = "holds another offer"
        elif not entry.suits(start):
            reason = f"asked for {entry.parts_of_day_display}"
        else:
            reason = ""
        rows.append((entry, reason))
    return rows


def offer_time(
    *, clinic: Clinic, specialist: Specialist, start: dt.datetime, entries, now: dt.datetime | None = None
) -> list[WaitlistOffer]:
    """The front desk offers one free time with `specialist` to the `entries` they chose.

    The same rules hold as for the offers made by themselves, except that staff may pass over the
    patient's parts of the day (they may have asked on the phone). Raises WaitlistError when the time
    cannot be booked online.
    """
    now = now or timezone.now()
    rules = BookingRules.current()
    kind = availability.online_type()
    with transaction.atomic():
        free = bookable_starts(
            clinic=clinic, specialist=specialist, start=start, end=start + dt.timedelta(seconds=1), now=now
        )
        if not free:
            raise WaitlistError(
                "That time cannot be booked online any more: it is taken, too soon, or not on the online booking step."
            )
        if _expiry(start, rules, now) - now < SHORTEST_OFFER:
            raise WaitlistError("That time is too close for an offer: please phone the patient instead.")
        return _offer(clinic, free, rules=rules, kind=kind, now=now, chosen=list(entries), specialist=specialist)


# --- Beat: offers not answered in time, freed times whose task was lost -----------------------


def refill(*, now: dt.datetime | None = None) -> int:
    """End the offers not answered in time and offer their times to the next in line; then work the
    freed times whose task was lost. Returns how many offers were made."""
    now = now or timezone.now()
    with transaction.atomic():
        # Rows a claim holds are skipped: the claim decides them, this runs again in a minute.
        due = (
            WaitlistOffer.objects.filter(outcome=Outcome.OPEN, expires_at__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("entry__clinic", "specialist")
            .order_by("pk")
        )
        made = _pass_on(due, Outcome.EXPIRED, now)
    return made + work_freed_times(now=now)


# --- Retention --------------------------------------------------------------------------------


def erase_expired_entries(*, now: dt.datetime | None = None) -> int:
    """The nightly purge: entries whose days have passed stop waiting; entries that ended
    RETENTION_WAITLIST_DAYS ago lose the patient's details, and the emails about them their
    address and body. Clinic, specialist, days and the offers' times and outcomes stay for statistics."""
    now = now or timezone.now()
    # Days are the clinic's: a few queries per time zone (the practice has one), not per clinic.
    for zone in set(WaitlistEntry.objects.waiting().values_list("clinic__timezone", flat=True)):
        today = now.astimezone(ZoneInfo(zone)).date()
        passed = WaitlistEntry.objects.waiting().filter(clinic__timezone=zone, last_day__lt=today)
        WaitlistOffer.objects.filter(entry__in=passed, outcome=Outcome.OPEN).update(
            outcome=Outcome.CLOSED, answered_at=now
        )
        passed.update(status=Waiting.EXPIRED, ended_at=now)
    ended = WaitlistEntry.objects.exclude(status=Waiting.WAITING).filter(
        erased_at__isnull=True, ended_at__lt=now - dt.timedelta(days=settings.RETENTION_WAITLIST_DAYS)
    )
    ids = list(ended.values_list("pk", flat=True))
    with transaction.atomic():
        WaitlistEntry.objects.filter(pk__in=ids).update(
            first_name=ERASED_NAME, last_name="", email="", phone="", payment="", erased_at=now
        )
        OutboundEmail.objects.filter(
            content_type=ContentType.objects.get_for_model(WaitlistEntry), object_id__in=ids
        ).update(to="erased@invalid", subject="(erased)", body_text="", body_html="", attachments=[], headers={})
        FreedTime.objects.filter(offered_at__lt=now - dt.timedelta(days=7)).delete()
    if ids:
        logger.info("erased patient details from %s waitlist entries", len(ids))
    return len(ids)


# --- Emails -----------------------------------------------------------------------------------


def status_url(entry):
    return settings.SITE_URL + reverse("booking:waitlist", args=[entry.token])


def leave_url(entry):
    return settings.SITE_URL + reverse("booking:waitlist_leave", args=[entry.token])


def days_display(entry):
    """'Tuesday, June 15 to Wednesday, June 30' / 'del martes, 15 de junio al miércoles, 30 de junio'"""
    first, last = (format_day(dt.datetime.combine(d, dt.time())) for d in (entry.first_day, entry.last_day))
    if entry.first_day == entry.last_day:
        return first
    return pgettext("waitlist days", "%(first)s to %(last)s") % {"first": first, "last": last}


def times_display(entry):
    """'mornings and afternoons' / 'mañanas y tardes', or 'any time of day', in the active language."""
    parts = entry.parts_of_day
    if len(parts) in (0, len(PartOfDay)):
        return pgettext("waitlist times", "any time of day")
    words = {
        PartOfDay.MORNING: pgettext("waitlist times", "mornings"),
        PartOfDay.AFTERNOON: pgettext("waitlist times", "afternoons"),
        PartOfDay.EVENING: pgettext("waitlist times", "evenings"),
    }
    if len(parts) == 1:
        return words[parts[0]]
    return pgettext("waitlist times", "%(first)s and %(second)s") % {
        "first": words[parts[0]],
        "second": words[parts[1]],
    }


def held_until(offer):
    """'10:30 AM EDT on Tuesday, June 15' / 'martes, 15 de junio, 10:30 EDT'"""
    local = offer.expires_at.astimezone(offer.entry.clinic.tz)
    return pgettext("offer held until", "%(time)s %(zone)s on %(day)s") % {
        "time": format_time(local),
        "zone": local.tzname(),
        "day": format_day(local),
    }


def _either(names):
    """'Alice Park, PT or Bob Stone, DPT' / '… o …'."""
    if len(names) < 2:
        return "".join(names)
    return pgettext("one of these specialists", "%(others)s or %(last)s") % {
        "others": ", ".join(names[:-1]),
        "last": names[-1],
    }


def _context(entry, **extra):
    return {
        "entry": entry,
        "clinic": entry.clinic,
        "days": days_display(entry),
        "times": times_display(entry),
        "leave_url": leave_url(entry),
        "status_url": status_url(entry),
        **extra,
    }


def _email(entry, kind, template, context, dedupe_key=None):
    return {
        "kind": kind,
        "to": entry.email,
        "template": f"emails/{template}",
        "context": context,
        "about": entry,
        "dedupe_key": dedupe_key,
        # A patient who answers the email reaches the front desk of their clinic.
        "headers": {"Reply-To": entry.clinic.front_desk_email},
    }


def _email_joined(entry):
    if entry.email:
        with translation.override(entry.language):
            queue_email(**_email(entry, "waitlist.joined", "waitlist_joined", _context(entry)))


def offer_key(offer):
    return f"waitlist-offer:{offer.entry_id}:{offer.start:%Y%m%dT%H%M}"


def _offer_email(offer, slot, kind, names):
    entry = offer.entry
    who = [names[pk] for pk in slot.specialist_ids if pk in names]
    if offer.specialist_id:
        who = [names.get(offer.specialist_id, offer.specialist.name)]
    with translation.override(entry.language):
        context = _context(
            entry,
            offer=offer,
            when=format_when(offer.start_local),
            until=held_until(offer),
            with_whom=_either(who),
            visit=kind,
            offer_url=settings.SITE_URL + reverse("booking:waitlist", args=[offer.token]),
        )
        return new_email(**_email(entry, "waitlist.offer", "waitlist_offer", context, dedupe_key=offer_key(offer)))
