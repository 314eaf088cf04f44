"""Patient records: one person the practice sees, however many visits they book.

- `find_or_create`: the booking service links every new visit (online, by the front desk, from a
  waitlist offer) to its patient: a record that shares an email address or a phone number with
  the booking and has the same date of birth and first name, else a new one. The record keeps the
  fuller details: a booking fills its blanks and never blanks it.
- `merge`: two records of one person become one; the visits move, the fuller details stay.
- `visible_to`, `search`: a front-desk user sees the patients with a visit at their clinics, and
  finds anyone else only by typing their exact phone number or email address.
- `erase_expired`: a patient none of whose visits still holds details (the retention purge erased
  them all) is erased too.

Each visit keeps its own copy of the details as booked: its emails, the purge of visits and the
CSV export read that copy. Logs name patients by id only.
"""

import datetime as dt
import logging
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet

from appointments.models import Appointment, Patient, same_person
from armorpt.models import OutboundEmail
from clinics.selectors import staff_clinics

logger = logging.getLogger(__name__)

# The details a record keeps, each filled from a booking when the record has none.
DETAILS = ("first_name", "last_name", "date_of_birth", "email", "phone", "payment")
ERASED_NAME = "(erased)"
ERASE_BATCH = 500


class MergeRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- Who is who -------------------------------------------------------------------------------


def is_same_person(record, details) -> bool:
    """Whether a booking's `details` are those of `record` (anything with the DETAILS attributes).

    They must share an email address or a phone number. With a date of birth on both sides, it
    and the first name must match: a parent's phone is shared by their children, and twins share a
    birthday too. Without one, the whole name must match. A wrong split is undone by `merge`; a
    wrong join would mix two people's visits, so the rule errs towards a new record.
    """
    if not _shares_contact(record, details):
        return False
    if record.date_of_birth and details.date_of_birth:
        return record.date_of_birth == details.date_of_birth and _same_name(record.first_name, details.first_name)
    return _same_name(record.first_name, details.first_name) and _same_name(record.last_name, details.last_name)


def _shares_contact(a, b):
    same_email = bool(a.email) and a.email.strip().lower() == (b.email or "").strip().lower()
    return same_email or (bool(a.phone) and str(a.phone) == str(b.phone or ""))


def _same_name(a, b):
    return a.strip().casefold() == b.strip().casefold()


@transaction.atomic(savepoint=False)
def find_or_create(details) -> Patient:
    """The patient a booking's `details` (services.Patient) belong to, their blanks filled, or a new one.

    The record found stays locked until the booking commits, so the purge of patients cannot erase
    it meanwhile.
    """
    if details.email or details.phone:
        found = Patient.objects.held().select_for_update().filter(same_person(details.email, details.phone))
        birthday_first = sorted(found, key=lambda r: (r.date_of_birth != details.date_of_birth, r.pk))
        for record in birthday_first:
            if is_same_person(record, details):
                _take_details(record, details, replace=False)
                return record
    return Patient.objects.create(**{name: getattr(details, name) or _empty(name) for name in DETAILS})


@transaction.atomic(savepoint=False)
def chosen(record: Patient, details) -> Patient:
    """The record the front desk picked for a caller, with what they typed for it: the desk has the
    person on the line, so what they typed replaces what the record had (blanks leave it as it was).

    A record erased since it was picked is not reused: the booking then finds or makes one.
    """
    locked = Patient.objects.held().select_for_update().filter(pk=record.pk).first()
    if locked is None:
        return find_or_create(details)
    _take_details(locked, details, replace=True)
    return locked


def _take_details(record, details, *, replace):
    changed = []
    for name in DETAILS:
        new, old = getattr(details, name), getattr(record, name)
        if _blank(new):
            continue
        if _blank(old) or (replace and str(old) != str(new)):
            setattr(record, name, new)
            changed.append(name)
    if changed:
        record.save(update_fields=[*changed, "updated_at"])


def _blank(value):
    return value is None or str(value).strip() == ""


def _empty(name):
    return None if name == "date_of_birth" else ""


# --- Two records of one person ------------------------------------------------------------------


@transaction.atomic
def merge(*, keep: Patient, other: Patient) -> int:
    """Move everything of `other` to `keep`, keep the fuller details, delete `other`. Returns the visits moved."""
    if keep.pk == other.pk:
        raise MergeRefused("Choose two different patients.")
    locked = {p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")}
    if len(locked) != 2:
        raise MergeRefused("One of these patients no longer exists.")
    keep, other = locked[keep.pk], locked[other.pk]
    if keep.erased_at or other.erased_at:
        raise MergeRefused("An erased patient's record cannot be merged.")
    moved = _move_everything(other, keep)
    _take_details(keep, other, replace=False)
    if other.created_at < keep.created_at:
        Patient.objects.filter(pk=keep.pk).update(created_at=other.created_at)
    other_id = other.pk
    other.delete()
    logger.info("merged patient %s into patient %s: %s visits moved", other_id, keep.pk, moved)
    return moved


def _move_everything(other, keep):
    """Point every row that points at `other` at `keep`: visits today, whatever links to a patient tomorrow."""
    visits = 0
    for relation in Patient._meta.related_objects:
        if not relation.one_to_many:
            raise NotImplementedError(f"merge does not know how to move {relation.name}")
        field = relation.field.name
        moved = relation.related_model._base_manager.filter(**{field: other}).update(**{field: keep})
        if relation.related_model is Appointment:
            visits = moved
    return visits


# --- What the front desk sees ---------------------------------------------------------------------


def visible_to(user, patients: QuerySet | None = None) -> QuerySet:
    """The patients `user` may see: with a visit at one of their clinics (all, for a superuser)."""
    patients = (Patient.objects.all() if patients is None else patients).filter(erased_at__isnull=True)
    if user.is_superuser:
        return patients
    at_their_clinics = Appointment.objects.filter(patient=OuterRef("pk"), clinic__in=staff_clinics(user))
    return patients.filter(Exists(at_their_clinics))


def search(user, term: str, *, among: QuerySet | None = None) -> QuerySet:
    """What the desk finds by typing `term`: among their own patients (`among`, by default
    `visible_to(user)`), by name, email, part of a phone number or a date of birth; and anyone at
    all whose phone number or email address is exactly `term` (a returning caller of another clinic)."""
    own = visible_to(user) if among is None else among
    term = term.strip()
    if not term:
        return own
    if "\x00" in term:
        return own.none()
    found = own.filter(_matching(term))
    if exact := exact_contact(term):
        found = found | Patient.objects.held().filter(exact)
    return found


def findable(user, term: str = "") -> QuerySet:
    """The patients `user` may open: their own, and those whose exact phone or email is `term`."""
    own = visible_to(user)
    exact = exact_contact(term) if term and "\x00" not in term else None
    return own | Patient.objects.held().filter(exact) if exact else own


def may_book(user, record: Patient, *, phone="", email="") -> bool:
    """Whether the desk may book `record`: one of their own, or they typed its exact phone or email."""
    if phone and str(record.phone) == str(phone):
        return True
    if email and record.email.lower() == email.strip().lower():
        return True
    return visible_to(user).filter(pk=record.pk).exists()


PHONE_LIKE = re.compile(r"[\d\s().+-]+")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def _matching(term):
    if (day := _date(term)) is not None:
        return Q(date_of_birth=day)
    digits = re.sub(r"\D", "", term)
    if PHONE_LIKE.fullmatch(term) and len(digits) >= 3:
        # Stored as +12695550188: "555-01", "(269) 555" and "269.555.0188" all find it.
        return Q(phone__contains=digits)
    query = Q()
    for word in term.split():
        query &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
    return query


def _date(term):
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(term, pattern).date()
        except ValueError:
            continue
    return None


def exact_contact(term: str) -> Q | None:
    """A lookup for the one email address or phone number `term` is, or None."""
    term = term.strip()
    if "@" in term:
        try:
            validate_email(term)
        except ValidationError:
            return None
        return Q(email__iexact=term)
    try:
        number = phonenumbers.parse(term, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return Q(phone=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def visit_stats(patient_ids, user, now) -> dict:
    """{patient id: (visits, last visit start, next visit start)} at the user's clinics, cancelled ones left out; one query."""
    visits = Appointment.objects.filter(patient__in=patient_ids).active()
    if not user.is_superuser:
        visits = visits.filter(clinic__in=staff_clinics(user))
    rows = (
        visits.order_by()
        .values("patient")
        .annotate(
            count=Count("pk"), last=Max("start", filter=Q(start__lt=now)), next=Min("start", filter=Q(start__gte=now))
        )
    )
    return {row["patient"]: (row["count"], row["last"], row["next"]) for row in rows}


HISTORY_LIMIT = 50


def history(patient: Patient, user, now) -> dict:
    """A patient's page: their visits at the user's clinics, counts, and the emails those visits caused."""
    everywhere = Appointment.objects.filter(patient=patient)
    scope = Q(pk__isnull=False) if user.is_superuser else Q(clinic__in=staff_clinics(user))
    here = everywhere.filter(scope)
    shown = here.select_related("clinic", "specialist", "appointment_type")
    counts = everywhere.aggregate(
        everywhere=Count("pk"),
        here=Count("pk", filter=scope),
        no_shows=Count("pk", filter=scope & Q(status=Appointment.Status.NO_SHOW)),
    )
    return {
        "upcoming": list(shown.filter(start__gte=now).order_by("start")[:HISTORY_LIMIT]),
        "past": list(shown.filter(start__lt=now).order_by("-start")[:HISTORY_LIMIT]),
        "visits": counts["here"],
        "no_shows": counts["no_shows"],
        "elsewhere": counts["everywhere"] - counts["here"],
        "emails": list(
            OutboundEmail.objects.filter(appointment__in=here.values("pk")).order_by("-created_at")[:HISTORY_LIMIT]
        ),
        "limit": HISTORY_LIMIT,
    }


def possible_duplicates(patient: Patient, user, limit=5) -> list:
    """Other records the user sees that share this one's phone or email: perhaps the same person."""
    if not (patient.email or patient.phone):
        return []
    return list(visible_to(user).filter(same_person(patient.email, patient.phone)).exclude(pk=patient.pk)[:limit])


# --- Retention -----------------------------------------------------------------------------------


def erase_expired(*, now: dt.datetime, batch_size: int = ERASE_BATCH, among=None) -> int:
    """Erase the details of every patient none of whose visits still holds any (services.erase_expired_patient_details
    erases visits by the retention rules; a patient goes with their last visit). Returns how many were erased.

    `among`: only these patients (the purge passes those of the visits it has just erased, in the same
    transaction, so the daily run never walks every record). Without it, every record still held is
    looked at (a partial index): a repair for records left behind. Four queries per batch erased.
    """
    held_visit = Appointment.objects.filter(patient=OuterRef("pk"), erased_at__isnull=True)
    candidates = Patient.objects.held() if among is None else Patient.objects.held().filter(pk__in=among)
    expired = candidates.exclude(Exists(held_visit)).order_by("pk")
    erased, after = 0, 0
    while ids := list(expired.filter(pk__gt=after).values_list("pk", flat=True)[:batch_size]):
        after = ids[-1]
        erased += _erase(ids, now, held_visit)
    if erased:
        logger.info("erased the details of %s patients", erased)
    return erased


@transaction.atomic
def _erase(ids, now, held_visit):
    # A booking may have linked a new visit to one of them since they were read. It holds the
    # record's lock until it commits: wait for those locks, then ask again in the UPDATE itself.
    list(Patient.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    return (
        Patient.objects.filter(pk__in=ids, erased_at__isnull=True)
        .exclude(Exists(held_visit))
        .update(
            first_name=ERASED_NAME,
            last_name="",
            email="",
            phone="",
            date_of_birth=None,
            payment="",
            erased_at=now,
            updated_at=now,
        )
    )
