"""Sample insurance plans, prices, the referral rule and common questions, for `load_demo`.

Plan names are real Michigan insurers, as a clinic here would list them; which clinic takes
which is made up. The texts are written for this site.
"""

from decimal import Decimal

from appointments.models import AppointmentType
from clinics.models import Clinic
from practice.models import InsurancePlan, PracticeNote, Question, SelfPayPrice

ALL = "all"
# (name, kind, needs_referral, notes, clinic slugs or ALL)
PLANS = [
    ("Blue Cross Blue Shield of Michigan", "commercial", False, "", ALL),
    ("Blue Care Network", "commercial", True, "An HMO: ask your doctor for a referral first.", ALL),
    ("Priority Health", "commercial", False, "", ALL),
    ("HAP (Health Alliance Plan)", "commercial", False, "", ["kalamazoo", "portage", "battle-creek"]),
    ("Aetna", "commercial", False, "", ["kalamazoo", "portage", "st-joseph"]),
    ("Cigna", "commercial", False, "", ["kalamazoo", "portage"]),
    ("UnitedHealthcare", "commercial", False, "", ALL),
    ("Medicare", "medicare", True, "Your doctor signs your plan of care; we send it for you.", ALL),
    ("Medicare Advantage plans", "medicare_advantage", False, "Call us with your card: rules differ by plan.", ALL),
    (
        "Michigan Medicaid health plans",
        "medicaid",
        True,
        "Call us to check your health plan.",
        ["kalamazoo", "battle-creek"],
    ),
    ("Auto insurance (no-fault)", "auto", False, "Bring your claim number.", ALL),
    ("Workers' compensation", "workers_comp", True, "Bring your claim number and your employer's contact.", ALL),
]

PRICES = {
    "initial-evaluation": ("150.00", "Paid at the visit. Ask for a receipt for your insurer or HSA."),
    "follow-up": ("95.00", "Paid at each visit."),
}

DIRECT_ACCESS = {
    "title": "You can come to us without a referral",
    "summary": (
        "In Michigan you can see a physical therapist without a doctor's prescription for up to 21 days or "
        "10 visits. Some plans, and Medicare, still need a referral or a plan of care your doctor signs."
    ),
    "body": (
        "In Michigan you do not need a prescription to start physical therapy. Since January 1, 2015 (Public "
        "Act 260 of 2014), a physical therapist may examine and treat you for up to 21 days or 10 visits, "
        "whichever comes first. To go on after that, you need a prescription from your doctor or another "
        "health professional who can write one. We can ask them for you.\n\n"
        "Paying is a separate question. Some insurance plans, and Medicare, pay only if a doctor referred you "
        "or signed your plan of care. The list below marks those plans. If you are not sure about yours, call "
        "the clinic: we will check before your first visit.\n\n"
        "Laws change, and lawmakers have talked about lifting the 21-day limit. We keep this page up to date."
    ),
}

QUESTIONS = [
    (
        "insurance",
        "Do you take my insurance?",
        "Most likely. Each clinic page lists the plans it takes, and the insurance page shows all clinics side by "
        "side. If your plan is not listed, call us: we will check it for you before your visit.",
    ),
    (
        "insurance",
        "What will I pay?",
        "With insurance, you usually pay your plan's copay or coinsurance at each visit. We check your benefits "
        "before your first visit and tell you what to expect.\n\nWithout insurance, a first visit costs a fixed "
        "price, shown on the insurance page.",
    ),
    (
        "referral",
        "Do I need a doctor's referral?",
        "Not to start. In Michigan you can see a physical therapist without a prescription for up to 21 days or "
        "10 visits. Some plans, and Medicare, need a referral or a signed plan of care to pay: we take care of "
        "that paperwork with your doctor.",
    ),
    (
        "first_visit",
        "What happens at the first visit?",
        "Your therapist asks about your pain and what you want to get back to, checks how you move, and explains "
        "what they find in plain words. You leave with a plan and a few exercises to start at home.",
    ),
    (
        "first_visit",
        "How long does it take?",
        "Plan on one hour for the first visit, and please come 10 minutes early to fill in a short form. "
        "Follow-up visits take about 45 minutes.",
    ),
    (
        "first_visit",
        "What should I wear and bring?",
        "Wear clothes you can move in, like shorts or loose pants and sneakers. Bring your photo ID, your "
        "insurance card, a list of your medicines, and any referral or scan reports you have.",
    ),
    (
        "changes",
        "How do I change or cancel my visit?",
        "Use the link in your confirmation email up to 24 hours before your visit. After that, please call your "
        "clinic. There is no fee, but telling us early lets another patient have the time.",
    ),
    (
        "getting_here",
        "Where do I park?",
        "All our clinics have free parking next to the building. Each clinic page says which door to use and "
        "how to get there.",
    ),
]


def load():
    clinics = {clinic.slug: clinic for clinic in Clinic.objects.all()}
    for order, (name, kind, referral, notes, where) in enumerate(PLANS):
        plan, created = InsurancePlan.objects.get_or_create(
            name=name, defaults={"kind": kind, "needs_referral": referral, "notes": notes, "display_order": order}
        )
        if created:
            plan.clinics.set(clinics.values() if where == ALL else [clinics[s] for s in where if s in clinics])
    for slug, (price, notes) in PRICES.items():
        visit_type = AppointmentType.objects.filter(slug=slug).first()
        if visit_type:
            SelfPayPrice.objects.get_or_create(
                appointment_type=visit_type, defaults={"price": Decimal(price), "notes": notes}
            )
    PracticeNote.objects.get_or_create(key=PracticeNote.Key.DIRECT_ACCESS, defaults=DIRECT_ACCESS)
    if not Question.objects.exists():
        Question.objects.bulk_create(
            Question(topic=topic, question=q, answer=a, display_order=order)
            for order, (topic, q, a) in enumerate(QUESTIONS)
        )
