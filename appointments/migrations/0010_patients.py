"""Patient records (issue 16): the Patient table, Appointment.patient, and every visit still holding
details linked to its patient by the rule of appointments.patients.is_same_person.

The rule is copied here, as it stands today, so that this migration does the same thing however
the service changes later. Visits are read in the order they were booked, a batch at a time, as
if each booking had gone through the service then: the first booking's details are the record's,
later ones fill its blanks. Erased visits get no patient.
"""

import itertools

import django.db.models.deletion
import django.db.models.functions.text
import phonenumber_field.modelfields
from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Upper

BATCH = 1000
DETAILS = ("first_name", "last_name", "date_of_birth", "email", "phone", "payment")


def _same_name(a, b):
    return a.strip().casefold() == b.strip().casefold()


def _shares_contact(a, b):
    same_email = bool(a.email) and a.email.strip().lower() == (b.email or "").strip().lower()
    return same_email or (bool(a.phone) and str(a.phone) == str(b.phone or ""))


def _same_person(record, visit):
    if not _shares_contact(record, visit):
        return False
    if record.date_of_birth and visit.date_of_birth:
        return record.date_of_birth == visit.date_of_birth and _same_name(record.first_name, visit.first_name)
    return _same_name(record.first_name, visit.first_name) and _same_name(record.last_name, visit.last_name)


def _blank(value):
    return value is None or str(value).strip() == ""


def link_visits_to_patients(apps, schema_editor):
    Appointment = apps.get_model("appointments", "Appointment")
    Patient = apps.get_model("appointments", "Patient")
    db = schema_editor.connection.alias
    visits = Appointment.objects.using(db).filter(erased_at__isnull=True, patient__isnull=True).order_by("pk")
    after = 0
    for n in itertools.count():
        if not (batch := list(visits.filter(pk__gt=after).only("pk", *DETAILS)[:BATCH])):
            break
        after = batch[-1].pk
        _link(batch, Patient, Appointment, db)
        if n % 20 == 0 and schema_editor.connection.vendor == "postgresql":
            # The new table has no statistics yet: without them the planner reads every record for
            # each batch instead of asking the email and phone indexes (minutes on a large history).
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Patient._meta.db_table}")


def _link(batch, Patient, Appointment, db):
    emails = {v.email.strip().lower() for v in batch if v.email}
    phones = {str(v.phone) for v in batch if v.phone}
    known = Patient.objects.using(db).filter(erased_at__isnull=True)
    # UPPER(email), as the patient_email index has it (and email__iexact asks), so the index answers.
    known = list(
        known.annotate(email_upper=Upper("email"))
        .filter(Q(email_upper__in={email.upper() for email in emails}) | Q(phone__in=phones))
        .order_by("pk")
    )
    by_contact = {}
    for record in known:
        _index(by_contact, record)
    created, changed = [], {}
    for visit in batch:
        candidates = by_contact.get(("email", visit.email.strip().lower()), []) + by_contact.get(
            ("phone", str(visit.phone)), []
        )
        candidates = sorted(
            {id(r): r for r in candidates}.values(), key=lambda r: (r.date_of_birth != visit.date_of_birth, r.pk or 0)
        )
        record = next((r for r in candidates if _same_person(r, visit)), None)
        if record is None:
            record = Patient(**{name: getattr(visit, name) for name in DETAILS})
            created.append(record)
        else:
            for name in DETAILS:
                if _blank(getattr(record, name)) and not _blank(getattr(visit, name)):
                    setattr(record, name, getattr(visit, name))
                    if record.pk:
                        changed[record.pk] = record
        _index(by_contact, record)
        visit.patient = record
    Patient.objects.using(db).bulk_create(created)
    if changed:
        Patient.objects.using(db).bulk_update(list(changed.values()), list(DETAILS))
    for visit in batch:
        visit.patient_id = visit.patient.pk
    Appointment.objects.using(db).bulk_update(batch, ["patient"])


def _index(by_contact, record):
    keys = []
    if record.email:
        keys.append(("email", record.email.strip().lower()))
    if record.phone:
        keys.append(("phone", str(record.phone)))
    for key in keys:
        bucket = by_contact.setdefault(key, [])
        if not any(r is record for r in bucket):
            bucket.append(record)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0009_reminders_and_purge_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Patient",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("first_name", models.CharField(max_length=60)),
                ("last_name", models.CharField(max_length=60)),
                ("date_of_birth", models.DateField(blank=True, null=True)),
                ("email", models.EmailField(blank=True, max_length=254)),
                (
                    "phone",
                    phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, region=None),
                ),
                (
                    "preferred_language",
                    models.CharField(
                        choices=[("en", "English"), ("es", "Spanish")],
                        default="en",
                        help_text="The language of their emails and pages, where the site has it.",
                        max_length=2,
                    ),
                ),
                (
                    "payment",
                    models.CharField(
                        blank=True,
                        help_text="A plan's name, another plan, or paying themselves. Never a member number, and never in an email.",
                        max_length=120,
                        verbose_name="how they pay",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "erased_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Details erased under the retention rule: none of their visits keeps any.",
                        null=True,
                    ),
                ),
            ],
            options={
                "ordering": ["last_name", "first_name", "pk"],
                "indexes": [
                    models.Index(condition=Q(("erased_at__isnull", True)), fields=["phone"], name="patient_phone"),
                    models.Index(
                        django.db.models.functions.text.Upper("email"),
                        condition=Q(("erased_at__isnull", True)),
                        name="patient_email",
                    ),
                    models.Index(
                        condition=Q(("erased_at__isnull", True)),
                        fields=["date_of_birth"],
                        name="patient_date_of_birth",
                    ),
                    models.Index(
                        condition=Q(("erased_at__isnull", True)),
                        fields=["last_name", "first_name", "id"],
                        name="patient_name",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="appointment",
            name="patient",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The patient record this visit belongs to; the visit keeps its own copy of the details.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="appointments.patient",
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["patient", "start"], name="appointment_patient_start"),
        ),
        migrations.RunPython(link_visits_to_patients, migrations.RunPython.noop, elidable=True),
    ]
