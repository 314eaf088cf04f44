from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from appointments import demo as appointments_demo
from clinics import demo as clinics_demo
from content import demo as content_demo
from practice import demo as practice_demo

DEMO_ADMIN = {"username": "admin", "password": "armor-local-demo"}


class Command(BaseCommand):
    help = "Add the sample clinics, team, schedules and guides. Adds only what is missing; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sample-visits",
            action="store_true",
            help="Also book a few made-up phone callers into an empty appointment book (DEBUG only; `make run`).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        today = timezone.localdate()
        clinics_demo.load(today)
        appointments_demo.load()
        content_demo.load()
        practice_demo.load()
        self.stdout.write("Demo clinics, team, schedules, guides, insurance plans and questions are in place.")
        if settings.DEBUG:
            self._ensure_demo_admin()
            staff = appointments_demo.load_staff()
            self.stdout.write(
                f"Local staff users (password {appointments_demo.DEMO_STAFF_PASSWORD}): {', '.join(staff)}"
            )
            visits = options["sample_visits"] and appointments_demo.load_sample_visits(timezone.now())
            if visits:
                self.stdout.write(
                    f"Sample phone bookings for the front desk to see: {len(visits)} over the coming two weeks."
                )

    def _ensure_demo_admin(self):
        # Only with DEBUG on: a known password must never reach a production database.
        User = get_user_model()
        if not User.objects.filter(username=DEMO_ADMIN["username"]).exists():
            User.objects.create_superuser(DEMO_ADMIN["username"], "admin@armorpt.example", DEMO_ADMIN["password"])
        self.stdout.write(
            f"Local admin: {settings.SITE_URL}/admin/  user {DEMO_ADMIN['username']}  "
            f"password {DEMO_ADMIN['password']}  (created only when DEBUG is on)"
        )
