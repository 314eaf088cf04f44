"""Which answers lead where: the back-pain self-check's routing, fixed in code.

Staff edit how each question and result is worded (selfcheck.models.Wording); they cannot
change what a "yes" leads to. The signs are those of NICE guideline NG59 (low back pain and
sciatica in over 16s), the American College of Physicians' 2017 guideline on low back pain,
and the red-flag lists physical therapists screen with (the IFOMPT international framework
for red flags, 2020). README.md, "Back-pain self-check", has the table.

An answer is True (yes), False (no) or None (not answered). The result is never a less urgent
one than the answers given so far allow: a question left blank that could still make it more
urgent is asked again instead.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# Any one "yes": emergency care now (call 911).
EMERGENCY_SIGNS = ("saddle_numbness", "bladder_or_bowel", "leg_weakness", "serious_injury")
# Any one "yes": see a doctor today or tomorrow, before physical therapy.
DOCTOR_SIGNS = ("fever", "cancer_history", "weight_loss", "constant_pain", "recent_surgery_or_infection", "steroids")
# Both "yes" together: see a doctor (a small fall matters after 70: the bones may have broken).
DOCTOR_PAIR = ("over_70", "minor_fall")
ROUTING_QUESTIONS = EMERGENCY_SIGNS + DOCTOR_SIGNS + DOCTOR_PAIR

# Optional, and never part of the routing: they only choose which exercises to point to.
# The values are content.models.Exercise.Category values, the anchors of the guide's sections.
EXERCISE_POINTERS = {"worse_sitting": "posture", "stiff": "range-of-motion"}
QUESTIONS = ROUTING_QUESTIONS + tuple(EXERCISE_POINTERS)


class Route(StrEnum):
    EMERGENCY = "emergency"  # call 911 or go to the emergency department now
    DOCTOR = "doctor"  # see a doctor today or tomorrow; no booking here first
    PHYSIO = "physio"  # no warning signs: booking is a reasonable next step
    UNANSWERED = "unanswered"  # a blank question could still make it more urgent: ask again


@dataclass(frozen=True)
class Outcome:
    route: Route
    unanswered: tuple[str, ...] = ()  # the routing questions to answer (Route.UNANSWERED only)
    exercises: tuple[str, ...] = ()  # guide sections that fit what was said (Route.PHYSIO only)


def triage(answers: Mapping[str, bool | None]) -> Outcome:
    """Where these answers lead. Questions missing from `answers` count as not answered."""
    emergency = _any(answers.get(name) for name in EMERGENCY_SIGNS)
    if emergency:
        return Outcome(Route.EMERGENCY)
    if emergency is None:
        return _ask_again(answers)
    doctor = _any([*(answers.get(name) for name in DOCTOR_SIGNS), _all(answers.get(name) for name in DOCTOR_PAIR)])
    if doctor:
        return Outcome(Route.DOCTOR)
    if doctor is None:
        return _ask_again(answers)
    exercises = tuple(section for question, section in EXERCISE_POINTERS.items() if answers.get(question) is True)
    return Outcome(Route.PHYSIO, exercises=exercises)


def _ask_again(answers):
    blank = tuple(q for q in ROUTING_QUESTIONS if not isinstance(answers.get(q), bool))
    return Outcome(Route.UNANSWERED, unanswered=blank)


# Only True is a yes and only False a no: anything else counts as not answered.


def _any(values: Iterable[bool | None]) -> bool | None:
    """Yes if one is yes; no if all are no; otherwise not known yet."""
    values = list(values)
    if any(value is True for value in values):
        return True
    return False if all(value is False for value in values) else None


def _all(values: Iterable[bool | None]) -> bool | None:
    """No if one is no; yes if all are yes; otherwise not known yet."""
    values = list(values)
    if any(value is False for value in values):
        return False
    return True if all(value is True for value in values) else None
