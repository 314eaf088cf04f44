"""The clinic finder: a page of clinics, nearest first, when there are too many to list.

With up to FINDER_ABOVE active clinics every page lists them all, as it always has. Above that,
/locations/, booking step 1 and the home page show a search (city or ZIP code, or the browser's
own location) and one page of results, so a page costs the same with 9 clinics or 500.

"Nearest" needs a starting point without asking any outside service:
- "Use my location": the browser's coordinates (static/js/finder.js), rounded to about 100 m;
- a ZIP code or town of southwest Michigan: its centre from a small bundled table
  (clinics/data/zip_centroids.csv), so a patient whose own town has no clinic still gets the
  nearest ones first;
- anywhere else: a clinic in that ZIP code or town, so its neighbours follow it.
The database sorts by an equirectangular distance, which orders places correctly at the scale of
a state; the distance shown to the patient is the great-circle one.
"""

import csv
import functools
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Count, F, Q, Window
from django.utils.translation import gettext_lazy as _

FINDER_ABOVE = 8  # more active clinics than this: the finder replaces the full list
PAGE_SIZE = 10
ZIP_TABLE = Path(__file__).parent / "data" / "zip_centroids.csv"
KM_PER_DEGREE = 111.2
MILES_PER_KM = 0.621371

ZIP_CODE = re.compile(r"(\d{5})(?:-\d{4})?")


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    name: str  # as the results heading says it: "49008", "Mattawan", "you"


@dataclass
class Results:
    clinics: list  # this page's clinics, each with .distance_miles (or None) when there is a place
    total: int  # active clinics that could be shown (all of them, or those matching the search)
    page: int
    near: Place | None
    has_next: bool
    not_found: str = ""  # what was searched for when nothing matched

    @property
    def start_index(self):
        return (self.page - 1) * PAGE_SIZE + 1 if self.clinics else 0

    @property
    def end_index(self):
        return self.start_index + len(self.clinics) - 1 if self.clinics else 0


# --- the search form ------------------------------------------------------------------------

LOCATION_UNREADABLE = _("We could not read your location. Type your town or ZIP code instead.")
NOT_A_PLACE = _("Type a town, such as Portage, or a five-digit ZIP code, such as 49002.")


class FinderForm(forms.Form):
    """GET parameters q (town or ZIP), lat and lng (from "Use my location"), page."""

    q = forms.CharField(
        label=_("Town or ZIP code"),
        required=False,
        max_length=60,
        error_messages={
            "max_length": _(
                "That is longer than any town name. Type a town, such as Portage, or a five-digit ZIP code, such as 49002."
            )
        },
    )
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.CharField(required=False)

    def __init__(self, data):
        super().__init__(data, auto_id="finder-%s")
        # The null-character check runs before clean_q: say it in the same words as any other typo.
        field = self.fields["q"]
        others = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        field.validators = [*others, ProhibitNullCharactersValidator(message=NOT_A_PLACE)]

    def clean_q(self):
        text = " ".join(self.cleaned_data["q"].split())
        if text[:1].isdigit() and not ZIP_CODE.fullmatch(text):
            raise forms.ValidationError(NOT_A_PLACE)  # a ZIP code mistyped: 4900, 49oo8
        if text and not any(ch.isalnum() for ch in text):
            raise forms.ValidationError(NOT_A_PLACE)  # only punctuation
        return text

    def clean_page(self):
        # A page number only comes from our own links: a broken one shows the first page, not an error.
        page = self.cleaned_data["page"]
        return max(1, int(page)) if re.fullmatch(r"[0-9]{1,4}", page) else 1

    def clean(self):
        data = super().clean()
        raw = (data.get("lat") or "", data.get("lng") or "")
        data["here"] = None
        if any(raw):
            try:
                lat, lng = (float(value) for value in raw)
            except ValueError:
                lat = lng = math.nan
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):  # also false for NaN
                self.add_error("q", LOCATION_UNREADABLE)
            else:
                # Rounded: near enough to sort clinics, and the exact spot is nobody's business.
                data["here"] = Place(round(lat, 3), round(lng, 3), "you")
        return data

    def query(self):
        """(town or ZIP, browser place, page) once valid; a form with errors searches nothing."""
        if not self.is_bound or not self.is_valid():
            return "", None, 1
        return self.cleaned_data["q"], self.cleaned_data["here"], self.cleaned_data["page"]


def page_links(params, *, page, has_next):
    """'?…&page=n' for the previous and next pages, keeping the rest of the query; None where there is none."""

    def link(number):
        return "?" + urlencode({**params.dict(), "page": number})

    return {"previous": link(page - 1) if page > 1 else None, "next": link(page + 1) if has_next else None}


# --- the search -----------------------------------------------------------------------------


@dataclass
class Finder:
    form: FinderForm
    results: Results
    shown: bool  # more than FINDER_ABOVE clinics: show the search; otherwise the page lists them all

    @property
    def searched(self):
        return bool(self.results.near or self.results.not_found)


PARAMETERS = {"q", "lat", "lng", "page"}


def search(clinics, data, *, first_page=None):
    """The finder for a page's GET parameters over `clinics` (a queryset of active clinics).

    `first_page()`, if given, answers the usual visit (no search) instead of find(clinics): from a cache.
    """
    form = FinderForm(data if data.keys() & PARAMETERS else None)
    text, here, page = form.query()
    if not (text or here) and page == 1:
        # The usual visit: the first page also tells how many clinics there are.
        results = first_page() if first_page else find(clinics)
        return Finder(form, results, shown=results.total > FINDER_ABOVE)
    results = find(clinics, text=text, here=here, page=page)
    return Finder(form, results, shown=clinics.count() > FINDER_ABOVE)


def find(clinics, *, text="", here=None, page=1):
    """One page of `clinics` (a queryset of active clinics) for the search; a few queries whatever their number."""
    if here is not None:
        return _page(clinics, near=here, page=page)
    if not text:
        return _page(clinics, page=page)
    matching = _matching(clinics, text)
    place = _place(text) or _first_place(matching)
    if place is not None:
        return _page(clinics, near=replace(place, name=text), page=page)
    found = _page(matching, page=page)
    if not found.total:
        # Nowhere we know: say so, and show the first clinics so the patient can still pick one.
        found = _page(clinics, page=page)
        found.not_found = text
    return found


def _matching(clinics, text):
    zip_code = ZIP_CODE.fullmatch(text)
    if zip_code:
        return clinics.filter(postal_code__startswith=zip_code.group(1))
    return clinics.filter(Q(city__iexact=text) | Q(city__iexact=_other_spelling(text)))


def _first_place(matching):
    clinic = matching.filter(latitude__isnull=False, longitude__isnull=False).first()
    return Place(clinic.latitude, clinic.longitude, clinic.city) if clinic else None


def _page(clinics, *, near=None, page=1):
    start = (page - 1) * PAGE_SIZE
    # The total rides along with the rows (a window count), so a page is one query, not two.
    rows = clinics.annotate(total=Window(Count("pk")))
    if near is not None:
        rows = rows.annotate(far=_rough_distance(near)).order_by(F("far").asc(nulls_last=True), "display_order")
    shown = list(rows[start : start + PAGE_SIZE + 1])
    total = shown[0].total if shown else clinics.count() if page > 1 else 0
    for clinic in shown:
        clinic.distance_miles = miles_between(near, clinic) if near else None
    return Results(shown[:PAGE_SIZE], total, page, near, has_next=len(shown) > PAGE_SIZE)


def _rough_distance(near):
    """Squared equirectangular distance in degrees of latitude: orders clinics as the crow flies."""
    squeeze = math.cos(math.radians(near.latitude))  # a degree of longitude shrinks away from the equator
    dlat = F("latitude") - near.latitude
    dlng = (F("longitude") - near.longitude) * squeeze
    return dlat * dlat + dlng * dlng


def miles_between(place, clinic):
    if clinic.latitude is None or clinic.longitude is None:
        return None
    lat1, lng1, lat2, lng2 = map(math.radians, (place.latitude, place.longitude, clinic.latitude, clinic.longitude))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    km = 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))
    return km * MILES_PER_KM


# --- the bundled ZIP table ------------------------------------------------------------------


def _place(text):
    zip_code = ZIP_CODE.fullmatch(text)
    if zip_code:
        return _zip_table()[0].get(zip_code.group(1))
    return _zip_table()[1].get(_town_key(text))


@functools.cache
def _zip_table():
    """({zip: Place}, {town: Place at the middle of its ZIP codes}) from the bundled CSV, read once."""
    by_zip, by_town = {}, {}
    with ZIP_TABLE.open(encoding="utf-8") as lines:
        for row in csv.DictReader(line for line in lines if not line.startswith("#")):
            place = Place(float(row["latitude"]), float(row["longitude"]), row["zip"])
            by_zip[row["zip"]] = place
            by_town.setdefault(_town_key(row["city"]), []).append(place)
    towns = {
        key: Place(
            sum(p.latitude for p in places) / len(places), sum(p.longitude for p in places) / len(places), key.title()
        )
        for key, places in by_town.items()
    }
    return by_zip, towns


def _town_key(text):
    """'St. Joseph', 'st joseph' and 'Saint Joseph' are one town."""
    words = text.lower().replace(".", " ").split()
    return " ".join("saint" if word == "st" else word for word in words)


def _other_spelling(text):
    """The clinic's city may be written 'St. Joseph' or 'Saint Joseph'; the patient may type either."""
    key = _town_key(text)
    return "St. " + key.title()[6:] if key.startswith("saint ") else key.title()
