"""What the insurance, questions, clinic and booking pages show, read once per content version."""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from clinics.models import Clinic
from content.cache import cached
from practice.models import InsurancePlan, PracticeNote, Question, SelfPayPrice


def plans():
    """Active plans, each with the ids of the active clinics that take it (`plan.clinic_ids`).

    Ids, not clinics: every clinic card reads this, and with hundreds of clinics a copy of each
    clinic under each plan made the cached value megabytes to unpickle per card.
    """

    def build():
        found = list(InsurancePlan.objects.active())
        taken = InsurancePlan.clinics.through.objects.filter(
            insuranceplan__in=found, clinic__in=Clinic.objects.active()
        ).values_list("insuranceplan_id", "clinic_id")
        by_plan = {}
        for plan_id, clinic_id in taken:
            by_plan.setdefault(plan_id, set()).add(clinic_id)
        for plan in found:
            plan.clinic_ids = frozenset(by_plan.get(plan.pk, ()))
        return found

    return cached("practice:plans", build)


def plans_at(clinic):
    return [plan for plan in plans() if clinic.pk in plan.clinic_ids]


# How a clinic card sums up its plans in a line: which kinds of cover it takes.
# Kept in English (marked for the catalog); practice_tags.kinds_taken says them in the page's language.
KIND_WORDS = {
    InsurancePlan.Kind.COMMERCIAL: gettext_noop("employer and private plans"),
    InsurancePlan.Kind.MEDICARE: gettext_noop("Medicare"),
    InsurancePlan.Kind.MEDICARE_ADVANTAGE: gettext_noop("Medicare Advantage"),
    InsurancePlan.Kind.MEDICAID: gettext_noop("Medicaid"),
    InsurancePlan.Kind.AUTO: gettext_noop("auto no-fault"),
    InsurancePlan.Kind.WORKERS_COMP: gettext_noop("workers' comp"),
}


def kinds_taken(plans):
    """['employer and private plans', 'Medicare', …] for `plans`, in the order of InsurancePlan.Kind."""
    taken = {plan.kind for plan in plans}
    return [words for kind, words in KIND_WORDS.items() if kind in taken]


@dataclass(frozen=True)
class PlanTable:
    """The insurance page's table: a row per plan, a column per clinic."""

    clinics: list
    rows: list  # (plan, [(clinic, taken there?) for each clinic], "every clinic" or [cities that take it])


def plan_table(clinics):
    rows = []
    for plan in plans():
        cells = [(clinic, clinic.pk in plan.clinic_ids) for clinic in clinics]
        cities = [clinic.city for clinic, taken in cells if taken]
        rows.append((plan, cells, "every clinic" if len(cities) == len(cells) else cities))
    return PlanTable(clinics, rows)


def self_pay_prices():
    """Prices of the visit types patients can book or will come back for, in booking order."""
    return cached(
        "practice:prices",
        lambda: list(
            SelfPayPrice.objects.select_related("appointment_type").order_by("appointment_type__display_order")
        ),
    )


def first_visit_price():
    """The self-pay price of the visit booked online, or None."""
    return next((p for p in self_pay_prices() if p.appointment_type.bookable_online), None)


def questions():
    """[(topic label, [question, …])] in the order of Question.Topic, published only, with no empty topic."""

    def build():
        published = list(Question.objects.published())
        return [
            (label, [q for q in published if q.topic == topic])
            for topic, label in Question.Topic.choices
            if any(q.topic == topic for q in published)
        ]

    return cached("practice:questions", build)


def note(key):
    return cached(f"practice:note:{key}", lambda: PracticeNote.objects.filter(key=key).first())


def direct_access():
    return note(PracticeNote.Key.DIRECT_ACCESS)


# How a patient may say they will pay, besides one of their clinic's plans. Stored as the words shown.
# Stored in English whatever the page's language (the front desk reads them); shown translated.
OTHER_PLAN = gettext_noop("Another insurance plan")
SELF_PAY = gettext_noop("Paying myself")
NOT_SURE = gettext_noop("Not sure yet")


def payment_choices(clinic):
    """[(value, label)] for booking step 3: the clinic's plans, then another plan, paying, not sure.

    The value is the plan's name, or the English of the other choices, so what the visit keeps is
    what the patient chose, in words the front desk reads; the label is in the page's language.
    """
    names = [(plan.name, plan.name) for plan in plans_at(clinic)]
    return [*names, *((words, gettext(words)) for words in (OTHER_PLAN, SELF_PAY, NOT_SURE))]
