"""What the content pages show, read once and then served from cache (see content.cache).

Everything that depends on the time of day (is a guide live yet, which day is today at
a clinic) is decided by the caller on the cached rows, so a cached value never goes stale
by itself; only a save or delete changes it.
"""

import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from armorpt.markdown import render_markdown
from clinics.models import Clinic, ClinicClosure, Credential, Specialist
from content.cache import cached
from content.models import CATEGORY_DESCRIPTIONS, Exercise, Guide


def published_guides():
    """Published guides, newest first, with their number of exercises; callers keep the live ones."""

    def build():
        guides = Guide.objects.published().defer("body").annotate(exercise_count=Count("exercises"))
        return list(guides)

    return cached("guides", build)


def live_guides(now):
    return [guide for guide in published_guides() if guide.is_live(now)]


def guide_page(slug):
    """The guide (published or not: staff preview), its rendered introduction and its exercises by category."""

    def build():
        guide = (
            Guide.objects.select_related("reviewed_by")
            .prefetch_related("exercises", "reviewed_by__credentials")
            .filter(slug=slug)
            .first()
        )
        if guide is None:
            return None
        exercises = list(guide.exercises.all())
        sections = [
            (category, CATEGORY_DESCRIPTIONS[category], [e for e in exercises if e.category == category])
            for category in Exercise.Category
        ]
        return {
            "guide": guide,
            "body_html": render_markdown(guide.body),
            "sections": [section for section in sections if section[2]],
            "exercise_count": len(exercises),
            # The key to the drawings' style is shown only where a drawing is.
            "has_drawings": any(e.drawing and not e.image for e in exercises),
        }

    return cached(f"guide:{slug}", build)


def clinics():
    """Active clinics with their opening hours and closures from yesterday on (callers pick by local date)."""

    def build():
        since = timezone.now().date() - datetime.timedelta(days=1)
        closures = ClinicClosure.objects.filter(date__gte=since).order_by("date")
        return list(
            Clinic.objects.for_display().prefetch_related(Prefetch("closures", queryset=closures, to_attr="future"))
        )

    return cached("clinics", build)


def clinic(slug):
    return next((c for c in clinics() if c.slug == slug), None)


def team():
    """Active specialists with their credentials and active clinics."""
    return cached("team", lambda: list(Specialist.objects.for_display()))


def specialist(slug):
    return next((s for s in team() if s.slug == slug), None)


def team_at(clinic):
    return [s for s in team() if any(c.pk == clinic.pk for c in s.clinics.all())]


def team_credentials():
    """Credentials held by someone on the active team, with how many hold each."""

    def build():
        active = Q(specialists__is_active=True)
        credentials = Credential.objects.annotate(holders=Count("specialists", filter=active, distinct=True))
        return list(credentials.filter(holders__gt=0))

    return cached("credentials", build)
