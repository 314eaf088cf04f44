"""selfcheck.rules on its own: every combination of answers to the routing questions, blanks included.

Twelve routing questions with three states each (yes, no, not answered) make 3**12 = 531,441
combinations: few enough to try them all, so nothing here is sampled.
"""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from selfcheck.rules import (
    DOCTOR_PAIR,
    DOCTOR_SIGNS,
    EMERGENCY_SIGNS,
    EXERCISE_POINTERS,
    QUESTIONS,
    ROUTING_QUESTIONS,
    Route,
    triage,
)

URGENCY = {Route.PHYSIO: 0, Route.DOCTOR: 1, Route.EMERGENCY: 2}


def every_combination(states=(True, False, None), questions=ROUTING_QUESTIONS):
    for values in itertools.product(states, repeat=len(questions)):
        yield dict(zip(questions, values, strict=True))


def test_the_questions_are_twelve_warning_signs_and_two_about_exercises():
    assert len(EMERGENCY_SIGNS) == 4 and len(DOCTOR_SIGNS) == 6 and len(DOCTOR_PAIR) == 2
    assert len(set(QUESTIONS)) == len(QUESTIONS) == 14
    assert set(EXERCISE_POINTERS.values()) <= {"posture", "range-of-motion", "muscle-performance"}


def test_every_combination_of_answers_leads_where_the_rules_say():
    seen = set()
    for answers in every_combination():
        outcome = triage(answers)
        seen.add(outcome.route)
        emergency_yes = any(answers[q] is True for q in EMERGENCY_SIGNS)
        emergency_open = any(answers[q] is None for q in EMERGENCY_SIGNS)
        doctor_yes = any(answers[q] is True for q in DOCTOR_SIGNS) or all(answers[q] is True for q in DOCTOR_PAIR)

        # Any emergency sign: the emergency screen, whatever else was answered or left blank.
        assert (outcome.route == Route.EMERGENCY) == emergency_yes, answers
        if emergency_yes:
            continue
        # Never a less urgent result while a blank emergency question could still change it.
        if emergency_open:
            assert outcome.route == Route.UNANSWERED, answers
        elif doctor_yes:
            assert outcome.route == Route.DOCTOR, answers
        # "No warning signs" only when every sign was answered no (the fall counts only over 70).
        if outcome.route == Route.PHYSIO:
            assert all(answers[q] is False for q in EMERGENCY_SIGNS + DOCTOR_SIGNS), answers
            assert False in (answers["over_70"], answers["minor_fall"]), answers
        # Asked again: exactly the blank routing questions, and only when one of them could matter.
        if outcome.route == Route.UNANSWERED:
            assert outcome.unanswered == tuple(q for q in ROUTING_QUESTIONS if answers[q] is None), answers
            assert outcome.unanswered
        else:
            assert outcome.unanswered == ()
    assert seen == set(Route)


def test_with_every_question_answered_there_is_always_a_result():
    for answers in every_combination(states=(True, False)):
        assert triage(answers).route != Route.UNANSWERED, answers


def test_a_yes_instead_of_a_no_never_makes_the_result_less_urgent():
    for answers in every_combination(states=(True, False)):
        before = URGENCY[triage(answers).route]
        for question in ROUTING_QUESTIONS:
            if not answers[question]:
                assert URGENCY[triage({**answers, question: True}).route] >= before, (answers, question)


def test_a_small_fall_needs_a_doctor_only_after_70():
    clear = dict.fromkeys(ROUTING_QUESTIONS, False)

    assert triage({**clear, "over_70": True, "minor_fall": True}).route == Route.DOCTOR
    assert triage({**clear, "over_70": True}).route == Route.PHYSIO
    assert triage({**clear, "minor_fall": True}).route == Route.PHYSIO
    # Under 70, the fall question may stay blank: it cannot change the result.
    assert triage({**clear, "minor_fall": None}).route == Route.PHYSIO
    assert triage({**clear, "over_70": True, "minor_fall": None}).unanswered == ("minor_fall",)


def test_a_single_emergency_yes_is_enough_with_nothing_else_answered():
    for question in EMERGENCY_SIGNS:
        assert triage({question: True}).route == Route.EMERGENCY
    assert triage({}).route == Route.UNANSWERED
    assert triage({}).unanswered == ROUTING_QUESTIONS


def test_the_exercise_questions_never_change_where_the_answers_lead():
    pointers = tuple(EXERCISE_POINTERS)
    for answers in every_combination(states=(True, False)):
        route = triage(answers).route
        for extra in every_combination(states=(True, False, None), questions=pointers):
            assert triage({**answers, **extra}).route == route


def test_the_exercise_questions_choose_the_guide_sections_to_suggest():
    clear = dict.fromkeys(ROUTING_QUESTIONS, False)

    assert triage(clear).exercises == ()
    assert triage({**clear, "worse_sitting": True}).exercises == ("posture",)
    assert triage({**clear, "stiff": True}).exercises == ("range-of-motion",)
    assert triage({**clear, "worse_sitting": True, "stiff": True}).exercises == ("posture", "range-of-motion")
    assert triage({**clear, "fever": True, "worse_sitting": True}).exercises == ()  # not for a doctor first


@given(
    st.dictionaries(
        st.one_of(st.sampled_from(QUESTIONS), st.text(max_size=12)),
        st.one_of(st.booleans(), st.none(), st.integers(-1, 2), st.text(max_size=3)),
    )
)
def test_odd_input_counts_as_not_answered_and_never_as_a_no(answers):
    """Unknown keys, and values other than True and False (which the form never sends), count as blank:
    1 is not a yes, 0 is not a no."""
    outcome = triage(answers)
    yes = [q for q in ROUTING_QUESTIONS if answers.get(q) is True]
    no = [q for q in ROUTING_QUESTIONS if answers.get(q) is False]

    assert outcome.route in set(Route)
    assert (outcome.route == Route.EMERGENCY) == bool(set(yes) & set(EMERGENCY_SIGNS))
    if outcome.route == Route.PHYSIO:
        assert set(EMERGENCY_SIGNS + DOCTOR_SIGNS) <= set(no) and set(DOCTOR_PAIR) & set(no)
    if outcome.route == Route.UNANSWERED:
        assert set(outcome.unanswered) == set(ROUTING_QUESTIONS) - set(yes) - set(no)
