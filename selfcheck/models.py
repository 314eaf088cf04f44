from django.db import models

from armorpt.models import SingleRow
from selfcheck import rules


def _text(about, default, **options):
    return models.TextField(about, default=default, max_length=600, **options)


class Wording(SingleRow):
    """How the self-check reads: one row, edited by clinic managers in admin.

    Only words live here. Which answers lead to which result is selfcheck.rules, in code, so no
    edit can send an emergency to the booking form. Plain text: no HTML or links get through.
    """

    title = models.CharField("page heading", max_length=120, default="Back pain: check for warning signs")
    intro = _text(
        "introduction",
        "Most back pain is not serious. But a few rare problems need a doctor fast. These questions "
        "look for signs of them before you book. It takes about a minute.\n\n"
        "This check cannot tell you what is wrong, and it does not replace an exam.",
        help_text="Say why we ask. A blank line starts a new paragraph.",
    )

    saddle_numbness = _text(
        "numbness in the saddle area",
        "Do you have new numbness or tingling between your legs, around your bottom or on your inner "
        "thighs (where you sit on a bike seat)?",
    )
    bladder_or_bowel = _text(
        "bladder or bowel trouble",
        "Do you have new trouble starting to pee, or have you lost control of your bladder or bowels?",
    )
    leg_weakness = _text("weak legs", "Are both of your legs weak, or is one leg getting weaker quickly?")
    serious_injury = _text(
        "serious fall or accident", "Did the pain start after a serious fall, a car crash or another bad accident?"
    )
    fever = _text(
        "fever or feeling unwell", "Do you have a fever or chills, or do you feel sick, along with the back pain?"
    )
    cancer_history = _text("cancer in the past", "Have you ever had cancer?")
    weight_loss = _text("weight loss", "Have you lost weight lately without trying?")
    constant_pain = _text(
        "constant pain", "Is the pain there all the time, so that it does not ease when you rest or at night?"
    )
    recent_surgery_or_infection = _text(
        "recent back surgery or infection",
        "In the last few months, have you had surgery on your back or a serious infection?",
    )
    steroids = _text("long-term steroids", "Have you taken steroid pills, such as prednisone, for 3 months or longer?")
    over_70 = _text("age", "Are you older than 70?")
    minor_fall = _text("small fall", "Did the pain start after a small fall, such as a slip or a trip?")
    worse_sitting = _text("worse when sitting", "Does sitting for a long time make the pain worse?")
    stiff = _text("stiffness", "Does your back feel stiff or tight when you bend or twist?")

    emergency_title = models.CharField("heading", max_length=120, default="Call 911 now")
    emergency_text = _text(
        "text",
        "One of your answers can be a sign of a problem that needs care right away. Do not wait for a "
        "physical therapy visit.\n\n"
        "Call 911, or have someone take you to the nearest emergency room now.",
    )
    doctor_title = models.CharField("heading", max_length=120, default="Please see a doctor today or tomorrow")
    doctor_text = _text(
        "text",
        "One of your answers means a doctor should check your back before you start physical therapy. "
        "It does not mean something is wrong. It means a doctor should look first.\n\n"
        "Call your doctor's office today and say you have back pain. If you cannot be seen by tomorrow, "
        "go to an urgent care clinic. Once a doctor has checked you, we are glad to help.",
    )
    clear_title = models.CharField("heading", max_length=120, default="Physical therapy is a good first step")
    clear_text = _text(
        "text",
        "You said no to all the warning signs we asked about. A physical therapist can examine your back "
        "and make a plan with you. Your first visit is an evaluation, one to one with a therapist.\n\n"
        "This check does not replace that exam.",
    )

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "self-check wording"

    def __str__(self):
        return "Back-pain self-check wording"

    def question(self, name):
        """The wording of question `name` (one of selfcheck.rules.QUESTIONS)."""
        if name not in rules.QUESTIONS:
            raise KeyError(name)
        return getattr(self, name)
