from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from clinics import finder
from clinics.finder import page_links
from content import hours, selectors
from content import structured_data as ld
from content.models import CATEGORY_DESCRIPTIONS, Exercise
from practice import selectors as practice

BACK_PAIN_GUIDE = "back-pain-exercises"
HOME_CLINICS = 3  # clinic cards on the home page when the finder is shown


def _categories():
    return [(category, CATEGORY_DESCRIPTIONS[category]) for category in Exercise.Category]


def home(request):
    now = timezone.now()
    guides = selectors.live_guides(now)
    # The first clinics by display order: all of them when few, else a handful and a search form that
    # goes to /locations/ (the home page itself does not search, so it stays one cached page).
    finder = selectors.clinic_finder({})
    clinics = finder.results.clinics[: HOME_CLINICS if finder.shown else None]
    faces, team_size = selectors.team_faces()
    context = {
        "featured_guides": ([g for g in guides if g.is_featured] or guides)[:3],
        "back_pain_guide": next((g for g in guides if g.slug == BACK_PAIN_GUIDE), None),
        "categories": _categories(),
        "finder": finder,
        "clinics": [(clinic, hours.today(clinic, now)) for clinic in clinics],
        "credentials": selectors.team_credentials(),
        "team_size": team_size,
        "team": faces,
        "structured_data": _clinics_structured_data(clinics, now),
    }
    return render(request, "content/home.html", context)


def _clinics_structured_data(clinics, now):
    nodes = (ld.clinic(c, now, plans=practice.plans_at(c)) for c in clinics)
    return ld.graph(ld.organization(clinics), *nodes)


def guide_list(request):
    guides = selectors.live_guides(timezone.now())
    return render(request, "content/guide_list.html", {"guides": guides})


def guide_detail(request, slug):
    page = selectors.guide_page(slug)
    if page is None:
        raise Http404("No such guide.")
    guide = page["guide"]
    # Staff may look at a guide before it is published; only then do we need to know who asks.
    preview = not guide.is_live(timezone.now())
    if preview and not request.user.is_staff:
        raise Http404("No such guide.")
    context = {
        **page,
        "preview": preview,
        "structured_data": ld.graph(ld.article(guide)),
    }
    return render(request, "content/guide_detail.html", context)


class TeamFilterForm(forms.Form):
    """Filter the team page by GET parameters: a plain form, so it works without JavaScript.

    With a handful of clinics the patient picks one from a list. With more than the finder's
    threshold a list of every clinic is too long to scroll on a phone: the patient types their
    town or ZIP code instead and sees who works at the clinics nearest to it (clinics.finder).
    A clinic's own link (?clinic=slug) works either way.
    """

    clinic = forms.ChoiceField(required=False, label=_("Clinic"))
    near = forms.CharField(required=False, max_length=60, label=_("Near (town or ZIP code)"))
    credential = forms.ChoiceField(required=False, label=_("Credential"))
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)  # bounds the cache keys too

    def __init__(self, data, *, clinics, credentials):
        super().__init__(data, auto_id="team-filter-%s")
        self.many_clinics = len(clinics) > finder.FINDER_ABOVE
        self.fields["clinic"].choices = [("", _("All clinics")), *clinics]
        self.fields["credential"].choices = [
            ("", _("Any credential")),
            *((c.abbreviation, f"{c.abbreviation}: {c.name}") for c in credentials),
        ]
        for name in ("clinic", "credential"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["near"].widget.attrs.update({"class": "form-control", "autocomplete": "postal-code"})

    def clean_near(self):
        # The finder's own rules and words for a town or ZIP code, so both pages answer alike.
        place = finder.FinderForm({"q": self.cleaned_data["near"]})
        if not place.is_valid():
            raise forms.ValidationError(place.errors["q"])
        return place.cleaned_data["q"]

    def choices(self):
        """(clinic slug, town or ZIP, credential, page) to show: "" for all."""
        if not self.is_bound:
            return "", "", "", 1
        # An unknown value (an old link) is left out of cleaned_data: it filters nothing, no error shown.
        self.is_valid()
        data = self.cleaned_data
        return data.get("clinic") or "", data.get("near") or "", data.get("credential") or "", data.get("page") or 1

    @property
    def filtered(self):
        clinic, near, credential, _ = self.choices()
        return bool(clinic or near or credential)


def team(request):
    form = TeamFilterForm(
        request.GET or None, clinics=selectors.clinic_choices(), credentials=selectors.team_credentials()
    )
    clinic, near, credential, page = form.choices()
    nearest = selectors.clinics_near(near) if near else None
    if nearest and not nearest.not_found:
        clinics = [c.slug for c in nearest.clinics]
    else:  # a place we do not know shows everyone, and says so
        clinics = [clinic] if clinic else []
    shown = selectors.team_page(clinics=clinics, credential=credential, page=page)
    context = {
        "form": form,
        "members": shown.members,
        "shown": shown,
        "nearest": nearest,
        "filtered": form.filtered,
        "page_links": page_links(request.GET, page=shown.page, has_next=shown.page < shown.pages),
        "team_size": selectors.team_faces()[1],
        "structured_data": ld.graph(*(ld.person(s) for s in shown.members)),
    }
    return render(request, "content/team.html", context)


def team_member(request, slug):
    specialist = selectors.specialist(slug)
    if specialist is None:
        raise Http404("No such specialist.")
    context = {"specialist": specialist, "structured_data": ld.graph(ld.person(specialist))}
    return render(request, "content/team_member.html", context)


def location_list(request):
    now = timezone.now()
    finder = selectors.clinic_finder(request.GET)
    clinics = finder.results.clinics
    context = {
        "finder": finder,
        "clinics": [(clinic, hours.today(clinic, now)) for clinic in clinics],
        "page_links": page_links(request.GET, page=finder.results.page, has_next=finder.results.has_next),
        "structured_data": _clinics_structured_data(clinics, now),
    }
    return render(request, "content/location_list.html", context)


def location_detail(request, slug):
    clinic = selectors.clinic(slug)
    if clinic is None:
        raise Http404("No such clinic.")
    now = timezone.now()
    team = selectors.team_at(clinic)
    plans = practice.plans_at(clinic)
    context = {
        "clinic": clinic,
        "week": hours.week(clinic, now),
        "closures": hours.upcoming_closures(clinic, now),
        "team": team,
        "plans": plans,
        "direct_access": practice.direct_access(),
        "first_visit_price": practice.first_visit_price(),
        "structured_data": ld.graph(ld.clinic(clinic, now, team, plans=plans)),
    }
    return render(request, "content/location_detail.html", context)


ROBOTS_DISALLOW = [
    "/admin/",
    "/book/done/",
    "/appointments/",
    # Token pages of one subscriber: nothing for a search engine there.
    "/newsletter/confirm/",
    "/newsletter/unsubscribe/",
    "/api/",
]


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {settings.SITE_URL}/sitemap.xml")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
