"""The back-pain self-check: questions (GET), and the result they lead to (POST).

Answers arrive in the body of a POST and live only for the request: nothing is saved, logged
or sent, and no address carries them. The result pages are never cached (`no-store`). The one
thing that outlives the request is the "no warning signs" cookie of appointments.screening.
"""

from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from appointments import screening
from appointments.models import Appointment
from armorpt.pagecache import cache_public_page
from content import selectors
from content.cache import content_version
from content.models import CATEGORY_DESCRIPTIONS, Exercise
from content.views import BACK_PAIN_GUIDE
from selfcheck import rules
from selfcheck.forms import SelfCheckForm
from selfcheck.models import Wording

Route = rules.Route
TEMPLATES = {
    Route.EMERGENCY: "selfcheck/emergency.html",
    Route.DOCTOR: "selfcheck/doctor.html",
    Route.PHYSIO: "selfcheck/physio.html",
}


# Nothing on the way to "call 911" may answer 403: a page left open past its token, or cookies
# turned off, still get their result. The check guards the only thing a POST leaves behind, the
# "no warning signs" cookie, so a forged post from another site cannot plant it (see _answer).
@csrf_exempt
@sensitive_post_parameters()  # error reports never show the answers
@require_http_methods(["GET", "HEAD", "POST"])
def self_check(request):
    if request.method == "POST":
        return _answer(request)
    return _questions(request)


@cache_public_page(content_version, timeout=60)
def _questions(request):
    return render(request, "selfcheck/questions.html", _form_context(SelfCheckForm(), Wording.current()))


def _answer(request):
    form = SelfCheckForm(request.POST)
    wording = Wording.current()
    outcome = rules.triage(form.answers())
    if outcome.route == Route.UNANSWERED:
        response = render(request, "selfcheck/questions.html", _form_context(form, wording, outcome.unanswered))
    else:
        context = {"wording": wording, "clinic": form.chosen_clinic(), "outcome": outcome}
        if outcome.route == Route.PHYSIO:
            context |= _next_steps(context["clinic"], outcome)
        response = render(request, TEMPLATES[outcome.route], context)
    # Any other answer, even one still incomplete, takes back an earlier "no warning signs".
    if outcome.route == Route.PHYSIO and _csrf_passed(request):
        screening.mark_no_warning_signs(response)
    else:
        screening.forget(response)
    add_never_cache_headers(response)
    return response


def _form_context(form, wording, unanswered=()):
    questions = [
        {
            "name": name,
            "number": number,
            "text": wording.question(name),
            "field": form[name],
            "emergency": name in rules.EMERGENCY_SIGNS,
            "unanswered": name in unanswered,
        }
        for number, name in enumerate(rules.QUESTIONS, 1)
    ]
    routing = len(rules.ROUTING_QUESTIONS)
    return {
        "form": form,
        "wording": wording,
        "warning_signs": questions[:routing],
        "exercise_questions": questions[routing:],
        "unanswered": [q for q in questions if q["unanswered"]],
    }


def _next_steps(clinic, outcome):
    """Where to book (the reason prefilled), and the guide's sections that fit what was said."""
    query = f"?reason={Appointment.Reason.BACK_PAIN}"
    booking_url = (reverse("booking:times", args=[clinic.slug]) if clinic else reverse("booking:start")) + query
    guide = next((g for g in selectors.live_guides(timezone.now()) if g.slug == BACK_PAIN_GUIDE), None)
    sections = [
        {"label": category.label, "description": CATEGORY_DESCRIPTIONS[category], "anchor": category.value}
        for category in map(Exercise.Category, outcome.exercises)
    ]
    return {"booking_url": booking_url, "guide": guide, "sections": sections}


def _csrf_passed(request):
    """The check CsrfViewMiddleware would have made, had the view not been exempt."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None
