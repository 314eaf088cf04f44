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


# The Spanish of the texts above (practice.translation), by their English: filled in where the
# Spanish is still empty, never over what staff wrote.
NOTES_ES = {
    "An HMO: ask your doctor for a referral first.": "Es un plan HMO: pida primero un referido a su médico.",
    "Your doctor signs your plan of care; we send it for you.": "Su médico firma su plan de atención; "
    "nosotros se lo enviamos.",
    "Call us with your card: rules differ by plan.": "Llámenos con su tarjeta a la mano: las reglas cambian "
    "según el plan.",
    "Call us to check your health plan.": "Llámenos y revisamos su plan de salud.",
    "Bring your claim number.": "Traiga su número de reclamo.",
    "Bring your claim number and your employer's contact.": "Traiga su número de reclamo y los datos de "
    "contacto de su empleador.",
    "Paid at the visit. Ask for a receipt for your insurer or HSA.": "Se paga en la cita. Pida un recibo para "
    "su aseguradora o su cuenta de ahorros para la salud (HSA).",
    "Paid at each visit.": "Se paga en cada cita.",
}

DIRECT_ACCESS_ES = {
    "title": "Puede venir sin un referido médico",
    "summary": (
        "En Michigan puede ver a un fisioterapeuta sin receta médica hasta por 21 días o 10 citas. Algunos "
        "planes, y Medicare, todavía piden un referido o un plan de atención firmado por su médico."
    ),
    "body": (
        "En Michigan no necesita receta médica para empezar la fisioterapia. Desde el 1 de enero de 2015 "
        "(Ley Pública 260 de 2014), un fisioterapeuta puede evaluarlo y tratarlo hasta por 21 días o 10 citas, "
        "lo que ocurra primero. Para seguir después, necesita una receta de su médico o de otro profesional "
        "de la salud que pueda darla. Nosotros se la podemos pedir.\n\n"
        "El pago es otro asunto. Algunos planes de seguro, y Medicare, solo pagan si un médico lo refirió o "
        "firmó su plan de atención. La lista de abajo marca esos planes. Si no está seguro del suyo, llame "
        "a la clínica: lo revisamos antes de su primera cita.\n\n"
        "Las leyes cambian, y se ha hablado de quitar el límite de 21 días. Mantenemos esta página al día."
    ),
}

QUESTIONS_ES = {
    "Do you take my insurance?": (
        "¿Aceptan mi seguro?",
        "Lo más probable es que sí. La página de cada clínica muestra los planes que acepta, y la página de "
        "seguros muestra todas las clínicas juntas. Si su plan no aparece, llámenos: lo revisamos antes de su "
        "cita.",
    ),
    "What will I pay?": (
        "¿Cuánto voy a pagar?",
        "Con seguro, por lo general paga el copago o el coseguro de su plan en cada cita. Revisamos sus "
        "beneficios antes de su primera cita y le decimos qué esperar.\n\nSin seguro, la primera cita tiene "
        "un precio fijo, que aparece en la página de seguros.",
    ),
    "Do I need a doctor's referral?": (
        "¿Necesito un referido de mi médico?",
        "No para empezar. En Michigan puede ver a un fisioterapeuta sin receta hasta por 21 días o 10 citas. "
        "Algunos planes, y Medicare, piden un referido o un plan de atención firmado para pagar: nosotros "
        "nos encargamos de ese papeleo con su médico.",
    ),
    "What happens at the first visit?": (
        "¿Qué pasa en la primera cita?",
        "Su fisioterapeuta le pregunta por su dolor y por lo que quiere volver a hacer, revisa cómo se mueve y "
        "le explica lo que encuentra con palabras sencillas. Usted sale con un plan y unos cuantos ejercicios "
        "para empezar en casa.",
    ),
    "How long does it take?": (
        "¿Cuánto tiempo dura?",
        "Cuente con una hora para la primera cita, y por favor llegue 10 minutos antes para llenar un "
        "formulario corto. Las citas de seguimiento duran unos 45 minutos.",
    ),
    "What should I wear and bring?": (
        "¿Qué ropa me pongo y qué debo traer?",
        "Use ropa con la que pueda moverse, como shorts o pantalones holgados y tenis. Traiga una "
        "identificación con foto, su tarjeta del seguro, una lista de sus medicinas y cualquier referido o "
        "resultado de estudios que tenga.",
    ),
    "How do I change or cancel my visit?": (
        "¿Cómo cambio o cancelo mi cita?",
        "Use el enlace de su correo de confirmación hasta 24 horas antes de su cita. Después, por favor llame "
        "a su clínica. No se cobra nada, pero si nos avisa a tiempo, otro paciente puede usar ese horario.",
    ),
    "Where do I park?": (
        "¿Dónde me estaciono?",
        "Todas nuestras clínicas tienen estacionamiento gratis junto al edificio. La página de cada clínica "
        "dice qué puerta usar y cómo llegar.",
    ),
}


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
    _add_missing_spanish()


def _add_missing_spanish():
    for row in [*InsurancePlan.objects.all(), *SelfPayPrice.objects.all()]:
        if not row.notes_es and row.notes_en in NOTES_ES:
            row.notes_es = NOTES_ES[row.notes_en]
            row.save(update_fields=["notes_es"])
    note = PracticeNote.objects.filter(key=PracticeNote.Key.DIRECT_ACCESS, title_en=DIRECT_ACCESS["title"]).first()
    if note and not note.body_es:
        for name, text in DIRECT_ACCESS_ES.items():
            setattr(note, f"{name}_es", text)
        note.save(update_fields=[f"{name}_es" for name in DIRECT_ACCESS_ES])
    for question in Question.objects.filter(question_en__in=QUESTIONS_ES, answer_es__isnull=True):
        question.question_es, question.answer_es = QUESTIONS_ES[question.question_en]
        question.save(update_fields=["question_es", "answer_es"])
