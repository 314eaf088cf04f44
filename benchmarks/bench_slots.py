"""How long 14 days of free times for all five clinics take, and in how many SQL queries,
with the demo data and with ten times its specialists and appointments.

Runs on a throwaway database: SQLite under var/bench/, or PostgreSQL when BENCH_DATABASE_URL
is set (the database is dropped and created). Usage:

    .venv/bin/python benchmarks/bench_slots.py [--runs 30]
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure():
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        _recreate_postgres(url)
    else:
        db = bench_dir / "slots.sqlite3"
        db.unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    os.environ.update(DATABASE_URL=url, DEBUG="true", DJANGO_SETTINGS_MODULE="armorpt.settings", LOG_LEVEL="WARNING")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    return url


def _recreate_postgres(url):
    import psycopg2
    from environ import Env

    config = Env.db_url_config(url)
    admin = psycopg2.connect(dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def load(multiplier, rng):
    """Demo data; then `multiplier` copies of each specialist, a third of each one's week booked."""
    from django.core.management import call_command

    from appointments.models import Appointment, AppointmentType, WorkingHours
    from clinics.models import Specialist

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    originals = list(Specialist.objects.prefetch_related("clinics", "working_hours"))
    for copy in range(1, multiplier):
        for person in originals:
            clone = Specialist.objects.create(
                name=f"{person.name} {copy}", slug=f"{person.slug}-{copy}", title=person.title
            )
            clone.clinics.set(person.clinics.all())
            WorkingHours.objects.bulk_create(
                WorkingHours(
                    specialist=clone,
                    clinic_id=h.clinic_id,
                    weekday=h.weekday,
                    start_time=h.start_time,
                    end_time=h.end_time,
                )
                for h in person.working_hours.all()
            )
    visit = AppointmentType.objects.get(slug="initial-evaluation")
    appointments = []
    for hours in WorkingHours.objects.select_related("clinic"):
        for day in _days(hours.weekday, 14):
            for hour in range(hours.start_time.hour, hours.end_time.hour - 1, 2):
                if rng.random() < 0.66:
                    start = dt.datetime.combine(day, dt.time(hour), hours.clinic.tz)
                    appointments.append(_appointment(hours, visit, start, len(appointments)))
    Appointment.objects.bulk_create(appointments)
    return Specialist.objects.count(), len(appointments)


def _days(weekday, count):
    today = dt.date.today()
    return [
        today + dt.timedelta(days=n) for n in range(count + 1) if (today + dt.timedelta(days=n)).weekday() == weekday
    ]


def _appointment(hours, visit, start, n):
    from appointments.models import Appointment

    return Appointment(
        clinic=hours.clinic,
        specialist_id=hours.specialist_id,
        appointment_type=visit,
        start=start,
        end=start + visit.duration,
        status="confirmed",
        first_name="Bench",
        last_name=str(n),
        email=f"bench{n}@example.com",
        reference=f"B{n:07d}",
    )


def measure(runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from appointments import availability
    from clinics.models import Clinic

    def compute():
        clinics = list(Clinic.objects.active())
        return availability.slots_for_clinics(
            clinics, now=timezone.now(), days=14, appointment_type=availability.online_type()
        )

    compute()  # warm caches and imports
    with CaptureQueriesContext(connection) as queries:
        slots = compute()
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        compute()
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * (len(timings) - 1))],
        "queries": len(queries),
        "slots": sum(len(s) for s in slots.values()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = configure()
    from django.db import connection

    results = []
    for multiplier in (1, 10):
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        specialists, appointments = load(multiplier, random.Random(42))
        results.append((multiplier, specialists, appointments, measure(args.runs)))
        connection.close()

    print(f"Slot computation, 14 days x all clinics ({url.split(':')[0]}, {args.runs} runs each)")
    print(
        f"{'data':>6} {'specialists':>11} {'appointments':>12} {'free slots':>10} {'median ms':>10} {'p95 ms':>8} {'queries':>8}"
    )
    for multiplier, specialists, appointments, r in results:
        print(
            f"{multiplier:>5}x {specialists:>11} {appointments:>12} {r['slots']:>10} {r['median_ms']:>10.1f} "
            f"{r['p95_ms']:>8.1f} {r['queries']:>8}"
        )
    small, large = results[0][3], results[1][3]
    print(
        f"ratio 10x/1x median time: {large['median_ms'] / small['median_ms']:.2f}; "
        f"queries equal at both sizes: {small['queries'] == large['queries']}"
    )


if __name__ == "__main__":
    main()
