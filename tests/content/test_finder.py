"""The clinic finder: with five clinics every page lists them as before; with many, /locations/,
booking step 1 and the home page show a search (town, ZIP code or the browser's place) and one
page of clinics, nearest first. Runs without JavaScript: these are plain GET pages."""

import pytest

from clinics import finder
from clinics.models import Clinic, Specialist
from content.selectors import TEAM_PAGE_SIZE
from tests.helpers import more_clinics

pytestmark = pytest.mark.django_db

DEMO_CLINICS = [
    "Armor PT Kalamazoo",
    "Armor PT Portage",
    "Armor PT Battle Creek",
    "Armor PT Paw Paw",
    "Armor PT St. Joseph",
]


@pytest.fixture
def many(demo):
    """The five demo clinics and 20 more going east from Battle Creek: 25, so the finder shows."""
    more_clinics(20)


def card_names(page):
    return [h.text for h in page.find_all(cls="card-title")]


def status(page):
    return " ".join(page.find("p", cls="finder__status").text.split())


def field_error(page):
    return page.find("div", id="finder-q-error").text.strip()


# --- five clinics: as before ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/locations/", "/book/", "/"])
def test_with_five_clinics_every_page_lists_them_all_without_a_search(demo, get_page, url):
    page = get_page(url)

    assert page.find_all("form", role="search") == []
    assert [name for name in card_names(page) if name.startswith("Armor PT")] == DEMO_CLINICS
    assert page.find_all("nav", aria_label="More clinics") == []


def test_with_five_clinics_the_footer_names_each_of_them(demo, get_page):
    page = get_page("/guides/")
    footer = page.find("section", aria_labelledby="footer-clinics")

    names = [a.text for a in page.find_all("a", inside=footer) if a.attrs["href"].startswith("/locations/")]
    assert names == DEMO_CLINICS


# --- many clinics: a search and one page -------------------------------------------------------------


def test_with_many_clinics_the_list_shows_ten_and_the_way_to_the_rest(many, get_page):
    page = get_page("/locations/")

    assert page.find("form", role="search").attrs["action"] == "/locations/"
    assert page.find("label", for_="finder-q").text == "Town or ZIP code"
    assert card_names(page) == DEMO_CLINICS + [f"Armor PT Town {n}" for n in range(1, 6)]
    assert status(page) == "Clinics 1 to 10 of 25. Search by town or ZIP code to see the nearest first."
    more = page.find("a", rel="next")
    assert (more.text, more.attrs["href"]) == ("More clinics", "?page=2")

    last = get_page("/locations/?page=3")
    assert card_names(last) == [f"Armor PT Town {n}" for n in range(16, 21)]
    assert last.find_all("a", rel="next") == [] and last.find("a", rel="prev").attrs["href"] == "?page=2"


def test_a_zip_code_with_a_clinic_puts_that_clinic_first_then_its_neighbours(many, get_page):
    page = get_page("/locations/?q=49079")

    assert card_names(page)[:3] == ["Armor PT Paw Paw", "Armor PT Kalamazoo", "Armor PT Portage"]
    assert status(page) == "Clinics nearest to 49079, nearest first."
    assert page.find("p", cls="clinic-distance").text == "About 1 mile away"  # from the middle of the ZIP code
    assert page.find("input", name="q").attrs["value"] == "49079"


def test_a_town_without_a_clinic_still_gets_the_nearest_from_the_zip_table(many, get_page):
    # Mattawan (49071) lies between Paw Paw and Kalamazoo; no clinic there.
    page = get_page("/book/?q=mattawan")

    assert card_names(page)[:2] == ["Armor PT Paw Paw", "Armor PT Kalamazoo"]
    assert "About 5 miles away" in page.find("p", cls="clinic-distance").text


@pytest.mark.parametrize("typed", ["St. Joseph", "saint joseph", "ST JOSEPH", "49085"])
def test_a_town_is_found_however_saint_is_written(many, get_page, typed):
    assert card_names(get_page("/locations/", data={"q": typed}))[0] == "Armor PT St. Joseph"


def test_a_town_outside_the_table_finds_its_clinic_and_puts_its_neighbours_next(many, get_page):
    page = get_page("/locations/?q=town+7")

    names = card_names(page)
    assert names[0] == "Armor PT Town 7"
    assert set(names[1:3]) == {"Armor PT Town 6", "Armor PT Town 8"}  # five miles either side


def test_a_place_we_do_not_know_says_so_and_still_lists_clinics(many, get_page):
    page = get_page("/locations/?q=Chicago")

    assert status(page).startswith(
        "We found no clinic in “Chicago”. Try a nearby town or ZIP code, or use your location."
    )
    assert len(card_names(page)) == 10


def test_the_browsers_place_sorts_clinics_nearest_first(many, get_page):
    # On the lake shore in Benton Harbor: St. Joseph is across the river.
    page = get_page("/locations/?lat=42.1167&lng=-86.4542")

    assert card_names(page)[:2] == ["Armor PT St. Joseph", "Armor PT Paw Paw"]
    assert status(page) == "The 10 clinics nearest to you, nearest first."
    assert page.find("a", rel="next").attrs["href"] == "?lat=42.1167&lng=-86.4542&page=2"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "12ab"}, finder.NOT_A_PLACE),
        ({"q": "4900"}, finder.NOT_A_PLACE),
        ({"q": "Paw\x00Paw"}, finder.NOT_A_PLACE),
        ({"q": "x" * 61}, "That is longer than any town name. " + finder.NOT_A_PLACE),
        ({"q": "--"}, finder.NOT_A_PLACE),
        ({"lat": "abc", "lng": "-85.5"}, finder.LOCATION_UNREADABLE),
        ({"lat": "42.3"}, finder.LOCATION_UNREADABLE),
        ({"lat": "nan", "lng": "nan"}, finder.LOCATION_UNREADABLE),
        ({"lat": "91", "lng": "0"}, finder.LOCATION_UNREADABLE),
    ],
)
def test_bad_input_gets_a_message_next_to_the_box_and_the_first_clinics(many, get_page, query, message):
    page = get_page("/locations/", data=query)

    assert field_error(page) == message
    box = page.find("input", name="q")
    assert box.attrs["aria-invalid"] == "true" and "finder-q-error" in box.attrs["aria-describedby"]
    assert len(card_names(page)) == 10


def test_what_was_typed_stays_in_the_box_after_a_mistake(many, get_page):
    assert get_page("/locations/?q=12ab").find("input", name="q").attrs["value"] == "12ab"


def test_a_page_number_out_of_range_is_not_an_error(many, get_page):
    assert card_names(get_page("/locations/?page=99")) == []
    for broken in ("abc", "0", "²", "9" * 5000):
        assert len(card_names(get_page("/locations/", data={"page": broken}))) == 10, broken
    assert card_names(get_page("/locations/?q=Portage&page=x"))[0] == "Armor PT Portage"


def test_booking_step_one_keeps_the_reason_and_specialist_through_a_search(many, get_page):
    Specialist.objects.get(slug="marcus-reed").clinics.add(*Clinic.objects.filter(slug__startswith="town-"))

    page = get_page("/book/?specialist=marcus-reed&reason=back-pain&q=49002")

    form = page.find("form", role="search")
    hidden = {i.attrs["name"]: i.attrs["value"] for i in page.find_all("input", type="hidden", inside=form)}
    assert hidden == {"specialist": "marcus-reed", "reason": "back-pain"}
    assert card_names(page)[0] == "Armor PT Portage"
    assert page.find("a", href="/book/portage/?specialist=marcus-reed&reason=back-pain")


def test_the_home_page_shows_a_few_clinics_and_a_search_that_opens_the_list(many, get_page):
    page = get_page("/")

    section = page.find("section", aria_labelledby="home-clinics")
    assert [h.text for h in page.find_all(cls="card-title", inside=section)] == DEMO_CLINICS[:3]
    assert page.find("form", role="search").attrs["action"] == "/locations/"
    assert page.find("a", href="/locations/", inside=section).text == (
        "All 25 clinics, with addresses, opening hours and directions"
    )


def test_with_many_clinics_the_footer_names_five_and_links_to_the_finder(many, get_page):
    page = get_page("/guides/")
    footer = page.find("section", aria_labelledby="footer-clinics")

    names = [a.text for a in page.find_all("a", inside=footer) if a.attrs["href"].startswith("/locations/")]
    assert names == [*DEMO_CLINICS, "Find your nearest clinic"]


# --- the pieces ----------------------------------------------------------------------------------


def test_miles_are_great_circle_miles():
    kalamazoo = finder.Place(42.2917, -85.5872, "Kalamazoo")
    detroit = Clinic(latitude=42.3314, longitude=-83.0458)

    assert finder.miles_between(kalamazoo, detroit) == pytest.approx(130, abs=2)
    assert finder.miles_between(kalamazoo, Clinic()) is None


def test_the_bundled_zip_table_knows_the_area():
    assert finder._place("49008") == finder.Place(42.2624, -85.6096, "49008")
    assert finder._place("St Joseph").latitude == pytest.approx(42.06, abs=0.1)
    assert finder._place("60601") is None  # Chicago: not southwest Michigan


def test_team_pages_show_a_page_of_people_and_keep_the_filter(demo, get_page):
    Specialist.objects.bulk_create(
        Specialist(name=f"Therapist {n:02d}", slug=f"therapist-{n}", title="Physical therapist", display_order=10 + n)
        for n in range(30)
    )
    kalamazoo = Clinic.objects.get(slug="kalamazoo")
    for specialist in Specialist.objects.filter(slug__startswith="therapist-"):
        specialist.clinics.add(kalamazoo)

    first = get_page("/team/")
    assert len(first.find_all("li", cls="team-card")) == TEAM_PAGE_SIZE
    assert " ".join(first.find("p", cls="team-count").text.split()) == (
        "Page 1 of 2 of our 36 team members. Pick a clinic to see who works there."
    )
    second = get_page(first.find("a", rel="next").attrs["href"].replace("?", "/team/?"))
    assert len(second.find_all("li", cls="team-card")) == 36 - TEAM_PAGE_SIZE

    at_kalamazoo = get_page("/team/?clinic=kalamazoo&page=2")
    assert " ".join(at_kalamazoo.find("p", cls="team-count").text.split()) == (
        "Page 2 of 2: 33 of 36 team members match."
    )
    assert at_kalamazoo.find("a", rel="prev").attrs["href"] == "?clinic=kalamazoo&page=1"
