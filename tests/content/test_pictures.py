"""Pictures where people would rather look than read: a drawing for every exercise, faces for the team, a
picture of every clinic; uploads from the admin take their place, sized for a phone."""

import io
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from armorpt import images
from clinics.models import Clinic, Specialist
from content.models import Exercise, Guide
from tests.content.pages import Page, form_data, ld_nodes
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db

GUIDE = "/guides/back-pain-exercises/"


def picture(width=1200, height=900, *, fmt="PNG", exif=None, name=None):
    """An upload as a browser sends it: a small valid image made with Pillow."""
    image = Image.new("RGB", (width, height), (11, 110, 105))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"exif": exif} if exif else {}))
    extension = "jpg" if fmt == "JPEG" else fmt.lower()
    return SimpleUploadedFile(name or f"upload.{extension}", buffer.getvalue(), content_type=f"image/{extension}")


def article(page, exercise):
    return page.find("article", id=f"exercise-{exercise.pk}")


def post_change(admin_client, url, form_id, **changes):
    data = form_data(admin_client.get(url).content.decode(), form_id)
    response = admin_client.post(url, {**data, **changes})
    assert response.status_code == 302, Page(response.content.decode()).find("div", cls="errornote").text
    return response


# --- Exercises -------------------------------------------------------------------------------------


def test_every_exercise_of_the_back_pain_guide_has_a_drawing_described_in_words(demo, get_page):
    page = get_page(GUIDE)

    exercises = Guide.objects.get(slug="back-pain-exercises").exercises.all()
    assert len(exercises) == 13
    drawings = set()
    for exercise in exercises:
        img = page.find("img", inside=article(page, exercise))
        assert img.attrs["src"].endswith(f"/img/exercises/{exercise.drawing}.svg")
        assert len(img.attrs["alt"]) > 40, exercise.name
        assert (img.attrs["width"], img.attrs["height"]) == ("400", "240")
        # Below the safety note and the contents on every screen: fetched as the patient scrolls.
        assert img.attrs["loading"] == "lazy"
        drawings.add(exercise.drawing)
    assert len(drawings) == 13  # one drawing each, none shared
    assert "Dark figure: the position you move into." in page.find("p", cls="drawing-key").text


def test_every_drawing_offered_to_staff_exists_and_loads_nothing_else():
    files = [f"exercises/{d}" for d in Exercise.Drawing.values]
    files += [f"clinics/{d or 'office'}" for d in Clinic.Drawing.values] + ["hero", "portrait-backdrop"]
    for name in files:
        svg = Path(finders.find(f"img/{name}.svg")).read_text()
        root = ElementTree.fromstring(svg)  # well-formed, or the browser shows a broken image
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox"), name
        assert "href" not in svg and "<script" not in svg and "<image" not in svg, name


def test_an_uploaded_picture_replaces_the_drawing_as_copies_sized_for_phones(db, get_page, media_root):
    exercise = ExerciseFactory(drawing=Exercise.Drawing.BRIDGE, image_alt="Hips lifted in a straight line.")
    exercise.image = picture(2000, 1500)
    exercise.save()

    img = get_page(exercise.guide.get_absolute_url()).find("img", cls="exercise__img")

    assert (exercise.image_width, exercise.image_height) == (2000, 1500)
    assert img.attrs["alt"] == "Hips lifted in a straight line."
    assert (img.attrs["width"], img.attrs["height"]) == ("2000", "1500")
    candidates = [c.split() for c in img.attrs["srcset"].split(", ")]
    assert [w for _, w in candidates] == ["480w", "960w", "1440w"]
    assert img.attrs["src"] == candidates[-1][0]
    # The original (perhaps a 12-megapixel photo with its GPS tag) is never linked.
    assert exercise.image.url not in img.attrs["srcset"] + img.attrs["src"]
    assert "sizes" in img.attrs and img.attrs["loading"] == "lazy"
    for url, width in candidates:
        with Image.open(media_root / url.removeprefix("/media/")) as copy:
            assert copy.format == "WEBP" and copy.width == int(width.removesuffix("w"))


def test_a_phone_photo_is_turned_upright_and_loses_its_metadata(db, media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright, the pixels lie on their side
    exif[0x010F] = "PhoneMaker"
    specialist = Specialist.objects.create(name="Rosa Diaz", slug="rosa-diaz", title="Physical therapist")
    specialist.photo = picture(1000, 750, fmt="JPEG", exif=exif)
    specialist.save()

    assert (specialist.photo_width, specialist.photo_height) == (750, 1000)
    for url, width in images.srcset(specialist.photo, specialist.photo_width):
        with Image.open(media_root / url.removeprefix("/media/")) as copy:
            assert copy.height > copy.width
            assert not copy.getexif()
        assert width in (480, 750)


def test_a_small_picture_is_not_blown_up():
    assert images.widths_for(300) == [300]
    assert images.widths_for(1000) == [480, 960, 1000]
    assert images.widths_for(6000) == [480, 960, 1440]


def test_a_video_plays_where_the_picture_is_and_downloads_nothing_until_asked(db, get_page, media_root):
    exercise = ExerciseFactory(drawing=Exercise.Drawing.CAT_COW, image_alt="Back rounds up, then sinks.")
    exercise.video = SimpleUploadedFile("cat-cow.mp4", b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4")
    exercise.save()

    page = get_page(exercise.guide.get_absolute_url())

    video = page.find("video", inside=article(page, exercise))
    assert video.attrs["preload"] == "none" and "controls" in video.attrs
    assert video.attrs["poster"].endswith("/img/exercises/cat-cow.svg")
    assert video.attrs["aria-label"] == "Back rounds up, then sinks."
    assert page.find("source", inside=video).attrs == {"src": exercise.video.url, "type": "video/mp4"}


def test_an_exercise_without_a_picture_shows_none(db, get_page):
    exercise = ExerciseFactory()

    page = get_page(exercise.guide.get_absolute_url())

    assert not page.find_all("img", inside=article(page, exercise))
    assert not page.find_all("p", cls="drawing-key")


# --- People ------------------------------------------------------------------------------------------


def test_the_team_shows_initials_in_the_practices_colours_until_a_photo_is_uploaded(demo, get_page, media_root):
    page = get_page("/team/")
    cards = page.find_all("li", cls="team-card")
    tiles = [page.find(cls="portrait", inside=card) for card in cards]
    assert [t.text for t in tiles] == ["MR", "DW", "LM", "GK", "BO", "HL"]
    assert len({t.attrs["class"] for t in tiles}) > 1  # not all one colour

    dana = Specialist.objects.get(slug="dana-whitfield")
    dana.photo = picture(800, 1000)
    dana.save()

    page = get_page("/team/dana-whitfield/")
    photo = page.find("img", cls="portrait")
    person = next(n for n in ld_nodes(page) if n["@type"] == "Person")
    assert person["image"].endswith(photo.attrs["src"])  # a copy, never the upload
    assert photo.attrs["alt"] == "Portrait of Dana Whitfield"
    assert photo.attrs["src"].startswith("/media/team/") and photo.attrs["src"].endswith(".webp")
    assert "loading" not in photo.attrs  # the first thing on the page: not lazy
    assert not page.find_all("span", cls="portrait--initials")


@pytest.mark.parametrize(("name", "initials"), [("Dana Whitfield", "DW"), ("Cher", "C"), ("Mary-Kate O'Neil", "MO")])
def test_initials(name, initials):
    assert Specialist(name=name).initials == initials


def test_home_page_has_a_drawing_at_the_top_and_the_team_as_faces(demo, get_page):
    page = get_page("/")

    hero = page.find("section", cls="hero")
    img = page.find("img", inside=hero)
    assert img.attrs["src"].endswith("/img/hero.svg") and img.attrs["alt"] == ""
    assert "loading" not in img.attrs
    faces = page.find_all("a", cls="team-faces__link")
    assert [a.attrs["href"] for a in faces] == [s.get_absolute_url() for s in Specialist.objects.for_display()]
    assert all(page.find(cls="portrait", inside=a) for a in faces)


# --- Places ------------------------------------------------------------------------------------------


def test_each_clinic_has_its_drawing_until_a_photo_is_uploaded(demo, get_page, media_root):
    page = get_page("/locations/")
    strips = [img.attrs["src"].rsplit("/", 1)[1] for img in page.find_all("img", cls="clinic-card__picture")]
    assert strips == ["office.svg", "suite.svg", "single-storey.svg", "main-street.svg", "lakeside.svg"]
    detail = get_page("/locations/portage/").find("img", cls="clinic-picture")
    assert detail.attrs["src"].endswith("/img/clinics/suite.svg")
    assert detail.attrs["alt"] == ""  # a drawing is not this building: decoration

    portage = Clinic.objects.get(slug="portage")
    portage.photo = picture(1600, 1000)
    portage.photo_alt = "A row of shops; our door is under the teal awning."
    portage.save()

    photo = get_page("/locations/portage/").find("img", cls="clinic-picture")
    assert photo.attrs["alt"] == "A row of shops; our door is under the teal awning."
    assert photo.attrs["srcset"].count("w, ") == 2
    card = get_page("/locations/").find_all("img", cls="clinic-card__picture")[1]
    assert card.attrs["src"] == photo.attrs["src"] and card.attrs["alt"] == ""


def test_a_clinic_photo_without_words_is_described_by_its_name(db):
    assert Clinic(name="Armor PT Portage").photo_description == "The front of Armor PT Portage"


# --- The admin -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "model"),
    [("/admin/content/exercise/{}/change/", Exercise), ("/admin/clinics/clinic/{}/change/", Clinic)],
)
def test_admin_change_pages_show_the_picture_on_the_site(demo, admin_client, url, model):
    obj = model.objects.first()

    page = Page(admin_client.get(url.format(obj.pk)).content.decode())

    assert page.find("input", type="file", name="photo" if model is Clinic else "image")
    assert page.find("img", inside=page.find("div", cls="field-picture_preview")).attrs["src"].endswith(".svg")


def test_staff_upload_an_exercise_picture_and_the_guide_changes_at_once(demo, client, admin_client, media_root):
    bridge = Exercise.objects.get(name="Bridge")
    assert client.get(GUIDE).status_code == 200  # now cached

    post_change(
        admin_client,
        f"/admin/content/exercise/{bridge.pk}/change/",
        "exercise_form",
        image=picture(900, 600),
        image_alt_en="A photo: hips lifted, shoulders down.",
    )

    page = Page(client.get(GUIDE).content.decode())
    img = page.find("img", inside=article(page, bridge))
    assert img.attrs["alt"] == "A photo: hips lifted, shoulders down."
    assert img.attrs["src"].startswith("/media/exercises/") and "bridge.svg" not in img.attrs["src"]


def test_a_picture_needs_words_for_people_who_cannot_see_it(demo, admin_client, media_root):
    bridge = Exercise.objects.get(name="Bridge")
    url = f"/admin/content/exercise/{bridge.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "exercise_form")

    response = admin_client.post(url, {**data, "image_alt_en": ""})

    assert response.status_code == 200
    assert "Describe the picture in words" in response.content.decode()


def test_staff_upload_pictures_in_the_guides_exercise_list(demo, client, admin_client, media_root):
    guide = Guide.objects.get(slug="back-pain-exercises")
    url = f"/admin/content/guide/{guide.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "guide_form")
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-name_en") and v == "Cat and cow")

    response = admin_client.post(url, {**data, f"exercises-{index}-image": picture(640, 480)})

    assert response.status_code == 302
    assert Exercise.objects.get(name="Cat and cow").image_width == 640


def test_staff_upload_a_clinic_photo_and_the_clinic_page_changes_at_once(demo, client, admin_client, media_root):
    kalamazoo = Clinic.objects.get(slug="kalamazoo")
    assert "office.svg" in client.get("/locations/kalamazoo/").content.decode()  # now cached

    post_change(
        admin_client,
        f"/admin/clinics/clinic/{kalamazoo.pk}/change/",
        "clinic_form",
        photo=picture(1200, 800),
        photo_alt_en="A two-storey brick building with a glass door.",
    )

    page = Page(client.get("/locations/kalamazoo/").content.decode())
    assert page.find("img", cls="clinic-picture").attrs["alt"] == "A two-storey brick building with a glass door."
    assert "office.svg" not in client.get("/").content.decode().split('id="home-clinics"')[1].split("</section>")[0]


def test_staff_upload_a_specialist_photo_and_every_page_shows_the_face(demo, client, admin_client, media_root):
    marcus = Specialist.objects.get(slug="marcus-reed")
    for url in ("/", "/team/", "/locations/kalamazoo/", marcus.get_absolute_url()):
        assert ">MR<" in client.get(url).content.decode()  # initials, now cached

    post_change(admin_client, f"/admin/clinics/specialist/{marcus.pk}/change/", "specialist_form", photo=picture())

    marcus.refresh_from_db()
    for url in ("/", "/team/", "/locations/kalamazoo/", marcus.get_absolute_url()):
        html = client.get(url).content.decode()
        assert ">MR<" not in html, url
        assert images.rendition_name(marcus.photo.name, 480) in html, url
