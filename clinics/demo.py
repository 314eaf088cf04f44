"""Sample clinics and team for a new site. Addresses and phone numbers are placeholders
(555-01xx numbers are reserved for fiction); the practice replaces them in admin.

Loading only adds what is missing (get_or_create): it never overwrites an edit staff made.
"""

import datetime

from clinics.models import Clinic, ClinicClosure, Credential, OpeningHours, Specialist

CLINICS = [
    {
        "slug": "kalamazoo",
        "latitude": 42.2556,
        "longitude": -85.5897,
        "name": "Armor PT Kalamazoo",
        "street_address": "4100 South Westnedge Avenue",
        "city": "Kalamazoo",
        "postal_code": "49008",
        "phone": "+12695550101",
        "front_desk_email": "kalamazoo@armorpt.example",
        "directions": "Free parking in front of the building. The entrance is level with the sidewalk.",
        "confirms_online_bookings": True,
        "hours": {
            0: ("07:00", "19:00"),
            1: ("07:00", "19:00"),
            2: ("07:00", "19:00"),
            3: ("07:00", "19:00"),
            4: ("07:00", "17:00"),
            5: ("08:00", "12:00"),
        },
    },
    {
        "slug": "portage",
        "latitude": 42.2149,
        "longitude": -85.5893,
        "drawing": "suite",
        "name": "Armor PT Portage",
        "street_address": "7250 South Westnedge Avenue, Suite 3",
        "city": "Portage",
        "postal_code": "49002",
        "phone": "+12695550102",
        "front_desk_email": "portage@armorpt.example",
        "directions": "Suite 3 is on the ground floor, next to the pharmacy. Parking behind the building.",
        "confirms_online_bookings": True,
        "hours": {
            0: ("07:30", "18:00"),
            1: ("07:30", "18:00"),
            2: ("07:30", "18:00"),
            3: ("07:30", "18:00"),
            4: ("07:30", "16:00"),
        },
    },
    {
        "slug": "battle-creek",
        "latitude": 42.2937,
        "longitude": -85.2268,
        "drawing": "single-storey",
        "name": "Armor PT Battle Creek",
        "street_address": "1550 West Columbia Avenue",
        "city": "Battle Creek",
        "postal_code": "49015",
        "phone": "+12695550103",
        "front_desk_email": "battlecreek@armorpt.example",
        "directions": "Use the side entrance by the accessible parking spaces.",
        "confirms_online_bookings": False,
        "hours": {
            0: ("08:00", "17:00"),
            1: ("08:00", "17:00"),
            2: ("08:00", "17:00"),
            3: ("08:00", "17:00"),
            4: ("08:00", "15:00"),
        },
    },
    {
        "slug": "paw-paw",
        "latitude": 42.2176,
        "longitude": -85.8883,
        "drawing": "main-street",
        "name": "Armor PT Paw Paw",
        "street_address": "210 East Michigan Avenue",
        "city": "Paw Paw",
        "postal_code": "49079",
        "phone": "+12695550104",
        "front_desk_email": "pawpaw@armorpt.example",
        "directions": "Street parking on Michigan Avenue and a free lot on Kalamazoo Street.",
        "confirms_online_bookings": True,
        "hours": {0: ("08:00", "17:00"), 1: ("08:00", "17:00"), 3: ("08:00", "17:00"), 4: ("08:00", "13:00")},
    },
    {
        "slug": "st-joseph",
        "latitude": 42.0863,
        "longitude": -86.4822,
        "drawing": "lakeside",
        "name": "Armor PT St. Joseph",
        "street_address": "2900 Niles Avenue",
        "city": "St. Joseph",
        "postal_code": "49085",
        "phone": "+12695550105",
        "front_desk_email": "stjoseph@armorpt.example",
        "directions": "Across from the library. Ring the bell at the front door if it is locked before 8 a.m.",
        "confirms_online_bookings": True,
        "hours": {
            0: ("07:00", "18:00"),
            1: ("07:00", "18:00"),
            2: ("07:00", "18:00"),
            3: ("07:00", "18:00"),
            4: ("07:00", "15:00"),
        },
    },
]


def _nth_weekday(year, month, weekday, n):
    """The n-th given weekday of a month; n=-1 for the last one."""
    if n > 0:
        first = datetime.date(year, month, 1)
        return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)


def holidays(year):
    """The days every clinic closes: the usual US holidays."""
    return [
        (datetime.date(year, 1, 1), "New Year’s Day"),
        (_nth_weekday(year, 5, 0, -1), "Memorial Day"),
        (datetime.date(year, 7, 4), "Independence Day"),
        (_nth_weekday(year, 9, 0, 1), "Labor Day"),
        (_nth_weekday(year, 11, 3, 4), "Thanksgiving Day"),
        (datetime.date(year, 12, 24), "Christmas Eve"),
        (datetime.date(year, 12, 25), "Christmas Day"),
    ]


CREDENTIALS = [
    ("PT", "Licensed physical therapist"),
    ("DPT", "Doctor of Physical Therapy"),
    ("OCS", "Board-certified clinical specialist in orthopaedic physical therapy"),
    ("SCS", "Board-certified clinical specialist in sports physical therapy"),
    ("ATC", "Certified athletic trainer"),
    ("CSCS", "Certified strength and conditioning specialist"),
    ("PTA", "Licensed physical therapist assistant"),
]

TEAM = [
    {
        "slug": "marcus-reed",
        "name": "Marcus Reed",
        "credentials": ["PT", "DPT", "SCS", "OCS"],
        "title": "Physical therapist and clinical director",
        "treats": "Low back pain, sports injuries, return to running, shoulder and knee problems",
        "clinics": ["kalamazoo", "portage"],
        "bio": (
            "Marcus is board-certified in both sports and orthopaedic physical therapy, one of a small number of "
            "therapists in Michigan to hold both. He spent eight years working with high-school and college "
            "athletes before founding Armor PT. His approach is simple: find out what your body can do today, "
            "then build from there with exercises you can fit into a normal day.\n\n"
            "Outside the clinic he coaches youth soccer and runs the Kalamazoo trails most mornings."
        ),
    },
    {
        "slug": "dana-whitfield",
        "name": "Dana Whitfield",
        "credentials": ["PT", "DPT", "OCS"],
        "title": "Physical therapist",
        "treats": "Back and neck pain, posture problems, recovery after spine surgery",
        "clinics": ["kalamazoo", "paw-paw"],
        "bio": (
            "Dana helps people whose back or neck pain has lasted longer than they hoped. She spends the first "
            "visit listening and testing how you move, and you leave with two or three exercises rather than a "
            "long list. Many of her patients sit at a desk all day; she is good at small changes that add up.\n\n"
            "Dana grew up in Paw Paw and still lives nearby with her family."
        ),
    },
    {
        "slug": "luis-moreno",
        "name": "Luis Moreno",
        "credentials": ["PT", "DPT", "CSCS"],
        "title": "Physical therapist",
        "treats": "Knee and hip pain, ACL recovery, strength for older adults",
        "clinics": ["portage", "battle-creek"],
        "bio": (
            "Luis believes strength is the best medicine for most joints. Whether you are getting back to "
            "basketball after knee surgery or want to climb stairs without holding the rail, he builds a plan "
            "that grows with you and explains each step.\n\nLuis speaks English and Spanish."
        ),
    },
    {
        "slug": "grace-kowalski",
        "name": "Grace Kowalski",
        "credentials": ["PT", "DPT"],
        "title": "Physical therapist",
        "treats": "Balance problems, fall prevention, arthritis, recovery after joint replacement",
        "clinics": ["battle-creek", "st-joseph"],
        "bio": (
            "Grace works mostly with people who want to stay steady and independent. She tests balance the way it "
            "is used in daily life, getting in and out of a car, turning to look behind you, and turns what she "
            "finds into short routines you can do at home."
        ),
    },
    {
        "slug": "ben-okafor",
        "name": "Ben Okafor",
        "credentials": ["PT", "DPT", "SCS"],
        "title": "Sports physical therapist",
        "treats": "Sports injuries, shoulder problems, throwing athletes, concussion recovery",
        "clinics": ["st-joseph", "kalamazoo"],
        "bio": (
            "Ben is board-certified in sports physical therapy and works with athletes of every level, from "
            "weekend golfers to college pitchers. He focuses on getting you back to your sport safely and on "
            "keeping you from coming back with the same injury."
        ),
    },
    {
        "slug": "hannah-lee",
        "name": "Hannah Lee",
        "credentials": ["PTA"],
        "title": "Physical therapist assistant",
        "treats": "Exercise programs, posture training, follow-up visits",
        "clinics": ["portage", "paw-paw"],
        "bio": (
            "Hannah guides patients through their exercise programs once a plan is in place. She is known for "
            "clear demonstrations and for noticing when an exercise needs to be made easier or harder."
        ),
        "accepts_new_patients": False,
    },
]


# The Spanish of the texts above (clinics.translation), by their English: filled in where the
# Spanish is still empty, never over what staff wrote. Names, addresses and abbreviations stay as they are.
SPANISH = {
    # Closures
    "New Year’s Day": "Año Nuevo",
    "Memorial Day": "Día de los Caídos (Memorial Day)",
    "Independence Day": "Día de la Independencia",
    "Labor Day": "Día del Trabajo (Labor Day)",
    "Thanksgiving Day": "Día de Acción de Gracias",
    "Christmas Eve": "Nochebuena",
    "Christmas Day": "Navidad",
    # Credentials
    "Licensed physical therapist": "Fisioterapeuta con licencia",
    "Doctor of Physical Therapy": "Doctorado en Fisioterapia",
    "Board-certified clinical specialist in orthopaedic physical therapy": "Especialista clínico certificado "
    "en fisioterapia ortopédica",
    "Board-certified clinical specialist in sports physical therapy": "Especialista clínico certificado en "
    "fisioterapia deportiva",
    "Certified athletic trainer": "Entrenador atlético certificado",
    "Certified strength and conditioning specialist": "Especialista certificado en fuerza y acondicionamiento",
    "Licensed physical therapist assistant": "Asistente de fisioterapeuta con licencia",
    # Directions
    "Free parking in front of the building. The entrance is level with the sidewalk.": "Estacionamiento "
    "gratis frente al edificio. La entrada está al nivel de la banqueta, sin escalones.",
    "Suite 3 is on the ground floor, next to the pharmacy. Parking behind the building.": "El local 3 está en "
    "la planta baja, junto a la farmacia. Hay estacionamiento detrás del edificio.",
    "Use the side entrance by the accessible parking spaces.": "Use la entrada lateral, junto a los lugares "
    "de estacionamiento para personas con discapacidad.",
    "Street parking on Michigan Avenue and a free lot on Kalamazoo Street.": "Puede estacionarse en la calle "
    "Michigan Avenue, y hay un estacionamiento gratis en Kalamazoo Street.",
    "Across from the library. Ring the bell at the front door if it is locked before 8 a.m.": "Enfrente de la "
    "biblioteca. Si la puerta principal está cerrada antes de las 8 a. m., toque el timbre.",
}

TEAM_ES = {
    "marcus-reed": {
        "title": "Fisioterapeuta y director clínico",
        "treats": "Dolor de espalda baja, lesiones deportivas, volver a correr, problemas de hombro y rodilla",
        "bio": (
            "Marcus tiene certificación de especialista en fisioterapia deportiva y en fisioterapia ortopédica, "
            "algo que tienen pocos fisioterapeutas en Michigan. Trabajó ocho años con atletas de preparatoria y "
            "universidad antes de fundar Armor PT. Su manera de trabajar es sencilla: ver lo que su cuerpo puede "
            "hacer hoy y avanzar desde ahí, con ejercicios que caben en un día normal.\n\n"
            "Fuera de la clínica entrena a un equipo de fútbol infantil y casi todas las mañanas sale a correr "
            "por los senderos de Kalamazoo."
        ),
    },
    "dana-whitfield": {
        "title": "Fisioterapeuta",
        "treats": "Dolor de espalda y de cuello, problemas de postura, recuperación después de una cirugía de columna",
        "bio": (
            "Dana ayuda a personas con dolor de espalda o de cuello que ha durado más de lo que esperaban. En la "
            "primera cita escucha con calma y revisa cómo se mueve usted, y usted sale con dos o tres ejercicios, "
            "no con una lista larga. Muchos de sus pacientes pasan el día sentados frente a un escritorio; ella "
            "sabe encontrar cambios pequeños que suman mucho.\n\n"
            "Dana creció en Paw Paw y todavía vive cerca con su familia."
        ),
    },
    "luis-moreno": {
        "title": "Fisioterapeuta",
        "treats": "Dolor de rodilla y de cadera, recuperación del ligamento cruzado anterior (LCA), fuerza para "
        "adultos mayores",
        "bio": (
            "Luis cree que la fuerza es la mejor medicina para casi todas las articulaciones. Ya sea que quiera "
            "volver al básquetbol después de una operación de rodilla o subir escaleras sin agarrarse del "
            "barandal, él arma un plan que avanza con usted y le explica cada paso.\n\n"
            "Luis habla inglés y español."
        ),
    },
    "grace-kowalski": {
        "title": "Fisioterapeuta",
        "treats": "Problemas de equilibrio, prevención de caídas, artritis, recuperación después de un reemplazo "
        "de articulación",
        "bio": (
            "Grace trabaja sobre todo con personas que quieren mantenerse firmes e independientes. Revisa el "
            "equilibrio tal como se usa en la vida diaria, al subir y bajar del auto o al voltear a mirar hacia "
            "atrás, y convierte lo que encuentra en rutinas cortas que usted puede hacer en casa."
        ),
    },
    "ben-okafor": {
        "title": "Fisioterapeuta deportivo",
        "treats": "Lesiones deportivas, problemas de hombro, atletas que lanzan, recuperación de una conmoción "
        "cerebral",
        "bio": (
            "Ben tiene certificación de especialista en fisioterapia deportiva y trabaja con atletas de todos los "
            "niveles, desde golfistas de fin de semana hasta lanzadores universitarios. Se enfoca en que usted "
            "vuelva a su deporte de forma segura y en que no regrese con la misma lesión."
        ),
    },
    "hannah-lee": {
        "title": "Asistente de fisioterapeuta",
        "treats": "Programas de ejercicio, entrenamiento de la postura, citas de seguimiento",
        "bio": (
            "Hannah acompaña a los pacientes en sus programas de ejercicio una vez que tienen un plan. Se le "
            "conoce por explicar los ejercicios con claridad y por notar cuándo hay que hacer uno más fácil o "
            "más difícil."
        ),
    },
}


def load(today):
    closures = [h for year in (today.year, today.year + 1) for h in holidays(year) if h[0] >= today]
    clinics = {spec["slug"]: _load_clinic(spec, closures) for spec in CLINICS}
    credentials = {
        abbreviation: Credential.objects.get_or_create(
            abbreviation=abbreviation, defaults={"name": name, "display_order": order}
        )[0]
        for order, (abbreviation, name) in enumerate(CREDENTIALS)
    }
    for order, spec in enumerate(TEAM):
        _load_specialist(spec, order, clinics, credentials)
    _add_missing_spanish()
    return clinics


def _load_clinic(spec, closures):
    fields = {k: v for k, v in spec.items() if k not in ("slug", "hours")}
    fields["display_order"] = [c["slug"] for c in CLINICS].index(spec["slug"])
    clinic, created = Clinic.objects.get_or_create(slug=spec["slug"], defaults=fields)
    if not created and not clinic.drawing and spec.get("drawing"):
        # Loaded before clinics had drawings: give it its own.
        clinic.drawing = spec["drawing"]
        clinic.save(update_fields=["drawing"])
    if not created and clinic.latitude is None and clinic.longitude is None:
        # Loaded before clinics had a place on the map: the finder needs it for "nearest first".
        clinic.latitude, clinic.longitude = spec["latitude"], spec["longitude"]
        clinic.save(update_fields=["latitude", "longitude"])
    if created:
        for weekday, (opens, closes) in spec["hours"].items():
            OpeningHours.objects.create(clinic=clinic, weekday=weekday, opens=opens, closes=closes)
        for day, reason in closures:
            ClinicClosure.objects.create(clinic=clinic, date=day, reason=reason)
    return clinic


def _load_specialist(spec, order, clinics, credentials):
    fields = {k: v for k, v in spec.items() if k not in ("slug", "credentials", "clinics")}
    specialist, created = Specialist.objects.get_or_create(
        slug=spec["slug"], defaults={**fields, "display_order": order}
    )
    if created:
        specialist.credentials.set([credentials[c] for c in spec["credentials"]])
        specialist.clinics.set([clinics[c] for c in spec["clinics"]])
    return specialist


def _add_missing_spanish():
    fields = {Clinic: ["directions"], ClinicClosure: ["reason"], Credential: ["name"]}
    for model, names in fields.items():
        for row in model.objects.all():
            _fill_empty(row, {name: SPANISH.get(getattr(row, f"{name}_en")) for name in names})
    for specialist in Specialist.objects.filter(slug__in=TEAM_ES):
        _fill_empty(specialist, TEAM_ES[specialist.slug])


def _fill_empty(row, texts):
    changed = [f"{name}_es" for name, text in texts.items() if text and not getattr(row, f"{name}_es")]
    for field in changed:
        setattr(row, field, texts[field.removesuffix("_es")])
    if changed:
        row.save(update_fields=changed)
