"""The self-check's pages: questions by GET, results by POST, and nothing kept of the answers."""

import logging
import re

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments import screening
from selfcheck.models import Wording
from selfcheck.rules import DOCTOR_SIGNS, EMERGENCY_SIGNS, QUESTIONS, ROUTING_QUESTIONS, Route, triage
from tests.factories import GuideFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db

URL = "/back-pain/self-check/"
BOOKING_LINK = re.compile(r'href="/book/|action="/book/')


def answers(yes=(), blank=(), **extra):
    """The POST of a patient who answers yes to `yes`, leaves `blank` blank and no to the rest."""
    data = {q: ("yes" if q in yes else "no") for q in QUESTIONS if q not in blank}
    return {**data, **extra}


def heading(response):
    return re.search(r"<h1[^>]*>(.*?)</h1>", text(response), re.S).group(1).strip()


def assert_never_cached(response):
    assert "no-store" in response["Cache-Control"], response["Cache-Control"]


# --- The questions ------------------------------------------------------------------------------


def test_the_questions_are_one_page_of_yes_or_no_fieldsets_sent_by_post(client, world):
    page = text(client.get(URL))

    assert re.search(r'<form method="post" action="/back-pain/self-check/"', page)
    assert page.count("<fieldset") == page.count("<legend") == len(QUESTIONS)
    for question in QUESTIONS:
        assert f'name="{question}" id="id_{question}_yes" value="yes"' in page
        assert f'name="{question}" id="id_{question}_no" value="no"' in page
    assert Wording.current().saddle_numbness in page
    assert "does not replace an exam" in page
    assert "Your answers are not saved or sent anywhere." in page
    assert world.clinic.name in page  # the clinic to show the phone of


def test_answers_in_the_address_are_ignored(client, world):
    response = client.get(URL, {"saddle_numbness": "yes", "fever": "yes"})

    assert heading(response) == Wording.current().title
    assert "checked" not in text(response)


def test_the_question_page_is_cached_like_other_content_pages_and_new_wording_shows_at_once(client, world):
    first = text(client.get(URL))
    wording = Wording.current()
    wording.title = "Is your back pain an emergency?"
    wording.save()

    assert "Is your back pain an emergency?" not in first
    assert heading(client.get(URL)) == "Is your back pain an emergency?"


def test_other_methods_are_refused(client, world):
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


# --- The three results ----------------------------------------------------------------------------


@pytest.mark.parametrize("sign", EMERGENCY_SIGNS)
def test_an_emergency_sign_leads_to_911_and_nowhere_near_booking(client, world, sign):
    response = client.post(URL, answers(yes=[sign], clinic="kalamazoo"))

    page = text(response)
    assert heading(response) == "Call 911 now"
    # First in the page's main content: the heading, then the call button.
    main = page[page.index('<main id="main"') :]
    assert main.index("Call 911 now") < main.index('href="tel:911"') < main.index(world.clinic.phone_display)
    assert "<form" not in page and not BOOKING_LINK.search(page)
    assert_never_cached(response)


def test_an_emergency_sign_alone_is_enough_with_the_rest_left_blank(client, world):
    response = client.post(URL, {"bladder_or_bowel": "yes"})

    assert heading(response) == "Call 911 now"
    assert "Questions that can wait?" in text(response)
    assert world.clinic.phone_display in text(response)  # no clinic chosen: every clinic's phone


@pytest.mark.parametrize("signs", [[sign] for sign in DOCTOR_SIGNS] + [["over_70", "minor_fall"]])
def test_a_see_a_doctor_sign_leads_to_a_doctor_and_not_to_booking(client, world, signs):
    response = client.post(URL, answers(yes=signs, clinic="kalamazoo"))

    page = text(response)
    assert heading(response) == "Please see a doctor today or tomorrow"
    assert "urgent care" in page
    assert 'href="tel:911"' in page  # if it gets worse
    assert "<form" not in page and not BOOKING_LINK.search(page)
    assert_never_cached(response)


def test_no_warning_sign_offers_step_2_with_the_reason_filled_in(client, world):
    response = client.post(URL, answers(clinic="kalamazoo"))

    page = text(response)
    assert heading(response) == "Physical therapy is a good first step"
    assert 'href="/book/kalamazoo/?reason=back-pain"' in page
    assert "does not replace that exam" in page
    assert_never_cached(response)


def test_no_warning_sign_and_no_clinic_offers_step_1_with_the_reason_filled_in(client, world):
    response = client.post(URL, answers())

    assert 'href="/book/?reason=back-pain"' in text(response)


def test_the_exercises_suggested_fit_what_the_patient_said(client, world):
    GuideFactory(slug="back-pain-exercises", title="Back pain exercises you can do at home")

    sitting = text(client.post(URL, answers(yes=["worse_sitting"])))
    stiff = text(client.post(URL, answers(yes=["stiff"])))
    neither = text(client.post(URL, answers()))

    assert 'href="/guides/back-pain-exercises/#posture">Posture improvement exercises' in sitting
    assert "#range-of-motion" not in sitting
    assert 'href="/guides/back-pain-exercises/#range-of-motion">Range of motion exercises' in stiff
    assert "#posture" not in neither and 'href="/guides/back-pain-exercises/"' in neither


def test_a_blank_question_that_could_matter_is_asked_again_with_the_answers_kept(client, world):
    response = client.post(URL, answers(blank=["leg_weakness", "steroids"], yes=["worse_sitting"]))

    page = text(response)
    assert heading(response) == Wording.current().title
    assert "Please answer 2 more questions" in page
    assert 'href="#id_leg_weakness_yes">Go to question 3' in page
    assert page.count("Please answer yes or no.") == 2
    assert 'aria-describedby="id_steroids_error"' in page
    assert 'id="id_fever_no" value="no" checked' in page and 'id="id_worse_sitting_yes" value="yes" checked' in page
    assert_never_cached(response)


def test_nonsense_values_count_as_blank(client, world):
    response = client.post(URL, answers(saddle_numbness="maybe", clinic="nowhere"))

    assert "Please answer 1 more question" in text(response)


@given(
    st.fixed_dictionaries({}, optional={q: st.sampled_from(["yes", "no"]) for q in QUESTIONS}),
    st.sampled_from(["", "kalamazoo"]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_page_shown_is_the_one_the_rules_choose(client, world, posted, clinic):
    """Through the whole view, over the answer space: the rules (tested on every combination
    in test_rules.py) decide, and only the "no warning signs" page links to booking."""
    response = client.post(URL, {**posted, "clinic": clinic})

    route = triage({q: v == "yes" for q, v in posted.items()}).route
    page = text(response)
    expected = {
        Route.EMERGENCY: "Call 911 now",
        Route.DOCTOR: "Please see a doctor today or tomorrow",
        Route.PHYSIO: "Physical therapy is a good first step",
        Route.UNANSWERED: Wording.current().title,
    }[route]
    assert heading(response) == expected
    if route != Route.UNANSWERED:  # the questions again, in the site's usual frame
        assert bool(BOOKING_LINK.search(page)) == (route == Route.PHYSIO)
    assert_never_cached(response)


# --- Nothing kept ---------------------------------------------------------------------------------


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_answers_are_not_stored_sent_or_logged(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    before = row_counts()

    for posted in (
        answers(yes=["saddle_numbness"]),
        answers(yes=["cancer_history", "weight_loss"]),
        answers(yes=["worse_sitting"], clinic="kalamazoo"),
        answers(blank=["fever"]),
    ):
        response = client.post(URL, posted)
        assert response.status_code == 200

    assert row_counts() == before
    assert "sessionid" not in client.cookies
    assert mail.outbox == []
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    wording = Wording.current()
    for question in ROUTING_QUESTIONS:
        assert question not in logged
        assert wording.question(question)[:30] not in logged


def test_an_error_report_would_not_show_the_answers(rf):
    from django.views.debug import SafeExceptionReporterFilter

    from selfcheck.views import self_check

    request = rf.post(URL, answers(yes=["saddle_numbness"]))
    request.user = None
    self_check(request)  # @sensitive_post_parameters() marks the request as it passes

    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert set(shown.values()) == {SafeExceptionReporterFilter.cleansed_substitute}


# --- The "no warning signs" cookie, and the CSRF check that guards it --------------------------------


def test_only_no_warning_signs_leaves_the_cookie_and_any_other_answer_removes_it(client, world):
    clear = client.post(URL, answers())
    cookie = clear.cookies[screening.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == screening.MAX_AGE_SECONDS
    assert cookie.value.startswith(screening.VALUE + ":")  # signed; it says nothing else

    for posted in (answers(yes=["fever"]), answers(yes=["leg_weakness"]), answers(blank=["fever"])):
        response = client.post(URL, posted)
        assert response.cookies[screening.COOKIE].value == ""
        assert response.cookies[screening.COOKIE]["max-age"] == 0


def test_a_post_without_a_valid_csrf_token_still_gets_its_result_but_no_cookie(world):
    client = Client(enforce_csrf_checks=True)

    emergency = client.post(URL, answers(yes=["serious_injury"]))
    clear = client.post(URL, answers())

    assert emergency.status_code == 200 and heading(emergency) == "Call 911 now"
    assert clear.status_code == 200 and heading(clear) == "Physical therapy is a good first step"
    assert clear.cookies[screening.COOKIE].value == ""


def test_a_post_with_its_csrf_token_gets_the_cookie(world):
    client = Client(enforce_csrf_checks=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(client.get(URL))).group(1)

    clear = client.post(URL, {**answers(), "csrfmiddlewaretoken": token})

    assert clear.cookies[screening.COOKIE].value.startswith(screening.VALUE + ":")


# --- Where the self-check is linked from ------------------------------------------------------------


def test_the_home_page_the_back_pain_guide_and_booking_step_1_link_to_it(client, world):
    GuideFactory(slug="back-pain-exercises", booking_reason="back-pain")

    for page in ("/", "/guides/back-pain-exercises/", "/book/"):
        assert f'href="{URL}"' in text(client.get(page)), page
