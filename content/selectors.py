"""What the content pages show, read once and then served from cache (see content.cache).

Everything that depends on the time of day (is a guide live yet, which day is today at
a clinic) is decided by the caller on the cached rows, so a cached value never goes stale
by itself; only a save or delete changes it.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import get_language

from armorpt.markdown import render_markdown
from clinics import finder
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

    # Per language: the introduction is rendered from the text of the page's language (content.translation).
    return cached(f"guide:{slug}:{get_language()}", build)


def _closures():
    since = timezone.now().date() - datetime.timedelta(days=1)
    return Prefetch(
        "closures", queryset=ClinicClosure.objects.filter(date__gte=since).order_by("date"), to_attr="future"
    )


def clinics():
    """Every active clinic with its opening hours and closures from yesterday on (callers pick by local date).

    All of them: for the pages that list every clinic. Pages that could show hundreds use clinic_finder().
    """
    return cached("clinics", lambda: list(Clinic.objects.for_display().prefetch_related(_closures())))


def clinic(slug):
    def build():
        return Clinic.objects.for_display().prefetch_related(_closures()).filter(slug=slug).first()

    return cached(f"clinic:{slug}", build)


def with_hours(shown):
    """Fetch the opening hours and closures of the clinics a page shows (content.hours reads them)."""
    prefetch_related_objects(shown, "opening_hours", _closures())
    return shown


def clinic_finder(data):
    """The clinic finder for a page's GET parameters, its clinics with their hours; the usual visit from cache."""

    def first_page():
        def build():
            results = finder.find(Clinic.objects.active())
            with_hours(results.clinics)
            return results

        return cached("clinics:first-page", build)

    found = finder.search(Clinic.objects.active(), data, first_page=first_page)
    if found.form.is_bound:
        with_hours(found.results.clinics)
    return found


def clinic_choices():
    """(slug, name) of every active clinic, for the team filter: small rows, not whole clinics."""
    return cached("clinic-choices", lambda: list(Clinic.objects.active().values_list("slug", "name")))


TEAM_PAGE_SIZE = 24
TEAM_FACES = 8


@dataclass(frozen=True)
class TeamPage:
    members: list
    total: int  # specialists matching the filter
    page: int
    pages: int


def team_page(*, clinics=(), credential="", page=1):
    """One page of the active team, optionally only those at some clinics (slugs) or holding a credential."""

    def build():
        members = Specialist.objects.for_display()
        if clinics:
            at = Specialist.clinics.through.objects.filter(clinic__slug__in=clinics, clinic__is_active=True)
            members = members.filter(pk__in=at.values("specialist_id"))
        if credential:
            members = members.filter(credentials__abbreviation=credential)
        shown = Paginator(members.distinct(), TEAM_PAGE_SIZE).get_page(page)
        return TeamPage(list(shown), shown.paginator.count, shown.number, shown.paginator.num_pages)

    # One entry per filter and page. The clinics are one known slug, or the few nearest a town or
    # ZIP code (as many sets as places patients type): a digest keeps the key short.
    where = (
        hashlib.sha256(",".join(sorted(clinics)).encode()).hexdigest()[:16] if len(clinics) > 1 else "".join(clinics)
    )
    return cached(f"team:{where}:{credential}:{page}", build)


def clinics_near(text):
    """The first page of active clinics nearest a town or ZIP code (clinics.finder), cached per place typed."""
    key = hashlib.sha256(text.casefold().encode()).hexdigest()[:16]
    return cached(f"clinics-near:{key}", lambda: finder.find(Clinic.objects.active(), text=text))


def team_faces():
    """(the first few specialists for the home page, how many there are in all)."""

    def build():
        active = Specialist.objects.active()
        return list(active.for_display()[:TEAM_FACES]), active.count()

    return cached("team-faces", build)


def specialist(slug):
    return cached(f"specialist:{slug}", lambda: Specialist.objects.for_display().filter(slug=slug).first())


def team_at(clinic):
    """The active specialists of one clinic (a clinic has a handful: no page needed)."""
    return cached(f"team-at:{clinic.pk}", lambda: list(Specialist.objects.for_display().filter(clinics=clinic)))


def team_credentials():
    """Credentials held by someone on the active team, with how many hold each."""

    def build():
        active = Q(specialists__is_active=True)
        credentials = Credential.objects.annotate(holders=Count("specialists", filter=active, distinct=True))
        return list(credentials.filter(holders__gt=0))

    return cached("credentials", build)
