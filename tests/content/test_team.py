import pytest

from clinics.models import Clinic, Specialist
from tests.helpers import more_clinics

pytestmark = pytest.mark.django_db


def names_on(page):
    return {h.text.split(",")[0] for h in page.find_all("h2", class_="h5 card-title")}


def test_team_page_shows_everyone_active_with_credentials_and_booking_links(demo, get_page):
    Specialist.objects.filter(slug="luis-moreno").update(is_active=False)

    page = get_page("/team/")

    assert names_on(page) == set(Specialist.objects.active().values_list("name", flat=True))
    assert "Luis Moreno" not in names_on(page)
    assert "Marcus Reed, PT, DPT, OCS, SCS" in [h.text for h in page.find_all("h2")]
    assert page.find("a", href="/book/?specialist=marcus-reed").text == "Book with Marcus Reed"


def test_team_filters_by_clinic(demo, get_page):
    page = get_page("/team/?clinic=paw-paw")

    assert names_on(page) == {"Dana Whitfield", "Hannah Lee"}
    assert page.find("option", value="paw-paw").attrs.get("selected") is not None
    assert "Showing 2 of 6" in page.find("p", class_="team-count").text


def test_team_filters_by_credential(demo, get_page):
    page = get_page("/team/?credential=SCS")

    assert names_on(page) == {"Marcus Reed", "Ben Okafor"}


def test_team_filters_combine(demo, get_page):
    assert names_on(get_page("/team/?clinic=kalamazoo&credential=OCS")) == {"Marcus Reed", "Dana Whitfield"}
    empty = get_page("/team/?clinic=battle-creek&credential=SCS")
    assert names_on(empty) == set()
    assert "/team/" in empty.links()


def test_unknown_filter_values_show_everyone_rather_than_an_error(demo, get_page):
    assert len(names_on(get_page("/team/?clinic=atlantis&credential=XYZ"))) == 6


def test_filter_form_works_without_javascript(demo, get_page):
    page = get_page("/team/")

    form = page.find("form", class_="team-filter")
    assert form.attrs["method"] == "get"
    assert {s.attrs["name"] for s in page.find_all("select", inside=form)} == {"clinic", "credential"}
    assert page.find_all("button", type="submit", inside=form)


def test_specialist_without_a_photo_gets_their_initials_not_a_silhouette(demo, get_page):
    page = get_page("/team/dana-whitfield/")

    portrait = page.find(cls="portrait")
    assert portrait.tag == "span" and "portrait--initials" in portrait.attrs["class"]
    assert portrait.text == "DW"
    # Decoration: the name is the page's heading, right beside it.
    assert portrait.attrs["aria-hidden"] == "true"
    assert not [img for img in page.find_all("img") if "placeholder" in img.attrs["src"]]


def test_specialist_page_has_bio_clinics_and_booking(demo, get_page):
    specialist = Specialist.objects.get(slug="marcus-reed")

    page = get_page(specialist.get_absolute_url())

    assert page.find("h1").text == "Marcus Reed, PT, DPT, OCS, SCS"
    assert "Board-certified clinical specialist in sports physical therapy" in [d.text for d in page.find_all("dd")]
    assert {"/locations/kalamazoo/", "/locations/portage/"} <= set(page.links())
    assert page.find("a", href="/book/?specialist=marcus-reed").text == "Book with Marcus Reed"
    assert specialist.bio.split("\n")[0][:40] in page.find("main").text


def test_specialist_not_taking_new_patients_has_no_booking_button(demo, get_page):
    page = get_page("/team/hannah-lee/")

    assert "/book/?specialist=hannah-lee" not in page.links()
    assert "not taking new patients" in page.find("main").text


def test_inactive_specialist_page_is_404(demo, client):
    Specialist.objects.filter(slug="ben-okafor").update(is_active=False)

    assert client.get("/team/ben-okafor/").status_code == 404


def test_with_many_clinics_the_team_is_found_by_town_or_zip_not_a_long_list(demo, get_page):
    """Past the finder's threshold a select of every clinic is too long for a phone: type a place instead."""
    more_clinics(20)
    near_town_3 = Specialist.objects.create(name="Rosa Town", slug="rosa-town", title="Physical therapist")
    near_town_3.clinics.add(Clinic.objects.get(slug="town-3"))
    far_away = Specialist.objects.create(name="Far Away", slug="far-away", title="Physical therapist")
    far_away.clinics.add(Clinic.objects.get(slug="town-20"))

    page = get_page("/team/")
    form = page.find("form", class_="team-filter")
    assert not page.find_all("option", inside=form, value="town-3")
    assert page.find("input", inside=form, name="near")

    near = get_page("/team/?near=Town+3")
    assert "Rosa Town" in names_on(near)
    assert "Far Away" not in names_on(near)
    assert "clinics nearest Town 3" in near.find("p", class_="team-count").text


def test_a_place_the_team_filter_cannot_read_is_explained_next_to_the_field(demo, get_page):
    more_clinics(20)

    typo = get_page("/team/?near=4900")
    error = typo.find(id="team-filter-near-error")
    assert "five-digit ZIP code" in error.text
    assert typo.find("input", name="near").attrs["value"] == "4900"
    assert len(names_on(typo)) == 6

    nowhere = get_page("/team/?near=Atlantis")
    assert "could not find “Atlantis”" in nowhere.find("p", class_="team-count").text
    assert len(names_on(nowhere)) == 6


def test_a_clinics_own_team_link_still_works_with_many_clinics(demo, get_page):
    more_clinics(20)

    assert names_on(get_page("/team/?clinic=paw-paw")) == {"Dana Whitfield", "Hannah Lee"}
