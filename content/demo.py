"""Sample guides for a new site, written for patients: short sentences, no unexplained jargon.

Loading only adds what is missing: a guide that exists (by slug) is left exactly as staff
left it, exercises included.
"""

from django.utils import timezone

from clinics.models import Specialist
from content.models import Exercise, Guide

MUSCLE = Exercise.Category.MUSCLE_PERFORMANCE
POSTURE = Exercise.Category.POSTURE
MOTION = Exercise.Category.RANGE_OF_MOTION

BACK_PAIN = {
    "slug": "back-pain-exercises",
    "title": "Back pain exercises you can do at home",
    "summary": "Gentle exercises for low back pain in three groups: strength, posture and stretching. "
    "Clear steps, how many to do, and when to stop.",
    "reviewed_by": "dana-whitfield",
    "booking_reason": "back-pain",
    "is_featured": True,
    "body": """\
Most low back pain gets better within a few weeks. Gentle movement usually helps more than
rest in bed. These are the exercises our therapists teach most often.

## How to use this guide

* Start with one or two exercises from each group. You do not need to do them all.
* Move slowly and keep breathing. Do not hold your breath.
* Feeling a stretch or your muscles working is fine. Sharp or shooting pain is not.
* Do the exercises once or twice a day, on most days of the week.
* Add more only when an exercise feels easy.

## Three kinds of exercise

**Muscle performance** exercises make the muscles of your belly, back and hips stronger.
Strong muscles hold your spine steady and help your balance.

**Posture improvement** exercises help your body line up well when you sit and stand.
Good alignment takes pressure off your lower back.

**Range of motion** exercises are stretches. Some you do on your own (*active*). Some use
a towel, a wall or a helper (*assisted*). In others you relax while something else, such
as gravity, moves your body (*passive*).

You will need a mat or a carpeted floor, a sturdy chair, a small towel and a wall.
""",
    "exercises": [
        (
            MUSCLE,
            "Pelvic tilt",
            "Wakes up the deep belly muscles that support your lower back.",
            """Lie on your back with your knees bent and your feet flat on the floor.
Tighten your belly muscles, as if you were bracing for a cough.
Gently press the small of your back into the floor. Your hips will tip up slightly.
Hold, then relax.""",
            "Hold 5 seconds. Repeat 10 times.",
            "Keep the movement small. Your buttocks stay on the floor. Stop if you feel sharp pain.",
        ),
        (
            MUSCLE,
            "Bridge",
            "Strengthens your buttocks and the back of your thighs, which share the work of your lower back.",
            """Lie on your back with your knees bent and your feet flat, hip-width apart.
Tighten your belly and squeeze your buttocks.
Lift your hips until your body makes a straight line from your shoulders to your knees.
Hold, then lower yourself slowly.""",
            "2 sets of 10. Hold each lift for 3 seconds.",
            "Do not arch your back at the top. If the back of your thighs cramps, move your feet closer to your hips.",
        ),
        (
            MUSCLE,
            "Bird dog",
            "Trains your back and belly to keep your spine steady while your arms and legs move.",
            """Kneel on all fours: hands under your shoulders, knees under your hips.
Tighten your belly so your back stays flat, like a table.
Slowly reach one arm forward and the opposite leg back, level with your body.
Hold, then return to all fours and switch sides.""",
            "Hold 5 seconds. 8 times on each side.",
            "Do not let your back sag or twist. If balancing is hard, lift only one leg at first. "
            "Put a folded towel under your knees if kneeling hurts.",
        ),
        (
            MUSCLE,
            "Side-lying leg lift",
            "Strengthens the muscles on the side of your hip, which keep your pelvis level when you walk.",
            """Lie on your side. Bend your bottom knee for balance.
Keep your top leg straight, in line with your body, toes pointing forward.
Lift your top leg about a foot, then lower it slowly.
Roll over and repeat with the other leg.""",
            "2 sets of 10 on each side.",
            "Do not roll backward as you lift. Stop if you feel pinching in the front of your hip.",
        ),
        (
            POSTURE,
            "Chin tuck",
            "Brings your head back over your shoulders, which eases strain on your neck and upper back.",
            """Sit or stand tall and look straight ahead.
Gently draw your chin straight back, as if making a double chin.
Keep your eyes level: do not tip your head up or down.
Hold, then relax.""",
            "Hold 5 seconds. Repeat 10 times, a few times a day.",
            "A gentle stretch at the base of your skull is normal. "
            "Stop if you feel dizzy or have tingling in your arms.",
        ),
        (
            POSTURE,
            "Shoulder blade squeeze",
            "Strengthens the muscles that hold your shoulders back, so you slump less when you sit.",
            """Sit tall with your arms relaxed at your sides.
Squeeze your shoulder blades together and slightly down, as if tucking them into your back pockets.
Hold, then relax.""",
            "Hold 5 seconds. Repeat 10 times.",
            "Do not shrug your shoulders toward your ears or arch your lower back.",
        ),
        (
            POSTURE,
            "Wall stand",
            "Teaches your body what lined-up posture feels like.",
            """Stand with your back against a wall, heels about 4 inches from it.
Touch the wall with your buttocks, your shoulder blades and, if you can, the back of your head.
Gently tighten your belly. The gap behind your lower back should be about the thickness of your hand.
Breathe normally and hold.
Step away from the wall and try to keep the same position as you walk.""",
            "Hold 30 seconds. Repeat 3 times. Try it a few times a day.",
            "Do not force your head back to the wall if it makes you tip your chin up.",
        ),
        (
            POSTURE,
            "Sitting with a towel roll",
            "Supports the natural curve of your lower back when you sit for a long time.",
            """Roll a small hand towel into a tube.
Sit in a chair with your feet flat and your knees level with your hips.
Place the roll behind the small of your back, at about belt height.
Sit back against it and let it support you.""",
            "Whenever you sit for more than 15 minutes. Get up and move every 30 to 45 minutes.",
            "The roll should feel supportive, not pushy. If your pain increases, use a smaller roll or none.",
        ),
        (
            MOTION,
            "Knee-to-chest stretch",
            "An active stretch for your lower back and buttocks.",
            """Lie on your back with your knees bent and your feet flat.
Hold one knee with both hands and bring it gently toward your chest.
Keep the other foot on the floor. Hold, then lower the leg.
Switch legs.""",
            "Hold 20 to 30 seconds. 3 times on each side.",
            "Pull gently. If your knee hurts, hold behind your thigh instead. Stop if pain travels down your leg.",
        ),
        (
            MOTION,
            "Cat and cow",
            "An active exercise that moves each part of your spine in turn.",
            """Kneel on all fours: hands under your shoulders, knees under your hips.
Slowly round your back up toward the ceiling and let your head drop, like a cat.
Then slowly let your belly sink toward the floor and lift your head.
Move smoothly between the two positions.""",
            "10 slow rounds.",
            "Move only as far as is comfortable. Small movements are fine.",
        ),
        (
            MOTION,
            "Lower trunk rotation",
            "An active stretch that eases stiffness in your lower back and hips.",
            """Lie on your back with your knees bent and together, feet flat.
Keep both shoulders on the floor.
Let your knees drop slowly to one side as far as is comfortable. Hold.
Bring them back to the middle, then drop them to the other side.""",
            "Hold 5 seconds. 10 times to each side.",
            "Go only as far as feels comfortable. Your shoulders stay down.",
        ),
        (
            MOTION,
            "Hamstring stretch with a towel",
            "An assisted stretch: the towel helps you stretch the back of your thigh, "
            "which pulls on your lower back when tight.",
            """Lie on your back with both knees bent.
Loop a towel around one foot and hold both ends.
Straighten that leg toward the ceiling, using the towel to help, until you feel a stretch behind your thigh.
Hold, then lower the leg and switch sides.""",
            "Hold 30 seconds. 3 times on each leg.",
            "You should feel a stretch, not pain. Keep your other knee bent. "
            "Stop if you feel tingling in your leg or foot.",
        ),
        (
            MOTION,
            "Child’s pose",
            "A passive stretch: you relax and let gravity lengthen your back.",
            """Kneel on the floor with your knees a little apart.
Sit back toward your heels.
Reach your arms forward on the floor and rest your forehead down.
Let your body relax and breathe slowly.""",
            "Hold 20 to 30 seconds. Repeat 3 times.",
            "Skip this one if your knees hurt when bent. A pillow between your heels and buttocks makes it easier.",
        ),
    ],
}

DESK = {
    "slug": "desk-posture",
    "title": "Sitting at a desk without back pain",
    "summary": "How to set up your chair and screen, plus three short exercises to undo a day of sitting.",
    "reviewed_by": "dana-whitfield",
    "booking_reason": "back-pain",
    "is_featured": True,
    "body": """\
Sitting is not bad for your back. Sitting **still** for hours is. These small changes help.

## Set up your desk

* Feet flat on the floor or on a footrest.
* Knees about level with your hips.
* The top of your screen at eye level, about an arm's length away.
* Elbows close to your sides, bent at about a right angle.

## Move often

Stand up, walk a few steps or do one of the exercises below every 30 to 45 minutes.
A reminder on your phone helps.
""",
    "exercises": [
        (
            POSTURE,
            "Slump, then sit tall",
            "Finds a balanced sitting position that puts little strain on your back.",
            """Sit toward the front of your chair with your feet flat.
Slump all the way down, then sit up as tall as you can.
Relax about a tenth of the way back from the tallest position. That is your target posture.""",
            "5 times, a few times a day.",
            "Do not hold your breath or push your chest forward hard.",
        ),
        (
            MOTION,
            "Standing back bend",
            "An active stretch that reverses the forward bend of sitting.",
            """Stand with your feet hip-width apart.
Place your hands on your lower back, fingers pointing down.
Gently lean backward, letting your hands support you. Look forward, not up.
Return to standing.""",
            "Hold 2 to 3 seconds. Repeat 5 to 10 times.",
            "Lean back only a little at first. Stop if pain spreads into your buttock or leg.",
        ),
        (
            MOTION,
            "Seated twist",
            "An active stretch for the middle of your back.",
            """Sit tall with your feet flat.
Cross your arms over your chest.
Turn your upper body slowly to one side as far as is comfortable. Hold.
Return to the middle and turn to the other side.""",
            "Hold 5 seconds. 5 times to each side.",
            "Keep your hips facing forward. Turn gently and never bounce.",
        ),
    ],
}

GUIDES = [BACK_PAIN, DESK]

# The drawing made for each sample exercise, and the words that say what it shows.
PICTURES = {
    "Pelvic tilt": (
        Exercise.Drawing.PELVIC_TILT,
        "Lying on the back with knees bent and feet flat, hands on the belly: the lower back, "
        "a little arched off the floor at first, presses flat into the floor as the hips tip up slightly.",
    ),
    "Bridge": (
        Exercise.Drawing.BRIDGE,
        "Lying on the back with knees bent and feet flat, arms on the floor: the hips lift until "
        "shoulders, hips and knees make one straight line.",
    ),
    "Bird dog": (
        Exercise.Drawing.BIRD_DOG,
        "On hands and knees with a flat back: one arm reaches straight forward and the opposite leg "
        "straight back, both level with the body.",
    ),
    "Side-lying leg lift": (
        Exercise.Drawing.SIDE_LYING_LEG_LIFT,
        "Lying on one side, head resting on the lower arm and the bottom knee bent: the straight top leg "
        "lifts up about a foot.",
    ),
    "Chin tuck": (
        Exercise.Drawing.CHIN_TUCK,
        "Head and shoulders seen from the side: the head glides straight back, chin drawn in and eyes "
        "level, until the ear is over the shoulder.",
    ),
    "Shoulder blade squeeze": (
        Exercise.Drawing.SHOULDER_BLADE_SQUEEZE,
        "Sitting tall, seen from behind: the two shoulder blades move in toward the spine and slightly down.",
    ),
    "Wall stand": (
        Exercise.Drawing.WALL_STAND,
        "Standing with the back against a wall, heels a few inches from it: the back of the head, the "
        "shoulder blades and the buttocks touch the wall.",
    ),
    "Sitting with a towel roll": (
        Exercise.Drawing.SITTING_TOWEL_ROLL,
        "Sitting back in a chair, feet flat and knees level with the hips, with a rolled towel between "
        "the chair back and the small of the back.",
    ),
    "Knee-to-chest stretch": (
        Exercise.Drawing.KNEE_TO_CHEST,
        "Lying on the back with knees bent: both hands hold one knee and bring it toward the chest; the "
        "other foot stays flat on the floor.",
    ),
    "Cat and cow": (
        Exercise.Drawing.CAT_COW,
        "On hands and knees: the belly sinks toward the floor with the head up, then the back rounds up "
        "toward the ceiling with the head down.",
    ),
    "Lower trunk rotation": (
        Exercise.Drawing.LOWER_TRUNK_ROTATION,
        "Seen from above, lying on the back with arms out to the sides and knees bent together: the knees "
        "drop to one side while both shoulders stay on the floor.",
    ),
    "Hamstring stretch with a towel": (
        Exercise.Drawing.HAMSTRING_STRETCH_TOWEL,
        "Lying on the back, one knee bent with the foot flat: a towel loops round the other foot, and "
        "with its help that leg straightens up toward the ceiling.",
    ),
    "Child’s pose": (
        Exercise.Drawing.CHILDS_POSE,
        "From hands and knees, sitting back toward the heels: the arms reach forward along the floor and "
        "the forehead rests down.",
    ),
    "Slump, then sit tall": (
        Exercise.Drawing.SLUMP_SIT_TALL,
        "Sitting on the front of a chair: from slumped, back rounded and head forward, to sitting up tall.",
    ),
    "Standing back bend": (
        Exercise.Drawing.STANDING_BACK_BEND,
        "Standing with both hands on the lower back: from upright, the upper body leans gently back.",
    ),
    "Seated twist": (
        Exercise.Drawing.SEATED_TWIST,
        "Sitting tall on a stool, seen from the front, arms crossed over the chest: the upper body turns to one side.",
    ),
}


# The Spanish version of the back-pain guide (content.translation): per English exercise name, its
# (name, purpose, steps, dosage, caution, picture described in words). The desk guide has none on
# purpose: its Spanish page shows the English text with the note that says so.
SPANISH = {
    "back-pain-exercises": {
        "title": "Ejercicios para el dolor de espalda que puede hacer en casa",
        "summary": "Ejercicios suaves para el dolor de espalda baja, en tres grupos: fuerza, postura y "
        "estiramiento. Pasos claros, cuántos hacer y cuándo parar.",
        "body": """\
La mayoría de los dolores de espalda baja mejoran en unas pocas semanas. Moverse con suavidad
suele ayudar más que quedarse en cama. Estos son los ejercicios que nuestros fisioterapeutas
enseñan con más frecuencia.

## Cómo usar esta guía

* Empiece con uno o dos ejercicios de cada grupo. No tiene que hacerlos todos.
* Muévase despacio y siga respirando. No aguante la respiración.
* Es normal sentir que el músculo se estira o trabaja. Un dolor agudo o punzante no lo es.
* Haga los ejercicios una o dos veces al día, casi todos los días de la semana.
* Haga más solo cuando un ejercicio le resulte fácil.

## Tres tipos de ejercicio

Los ejercicios de **fuerza muscular** fortalecen los músculos del abdomen, la espalda y la cadera.
Unos músculos fuertes mantienen firme la columna y le ayudan con el equilibrio.

Los ejercicios para **mejorar la postura** ayudan a que su cuerpo quede bien alineado cuando está
sentado o de pie. Una buena alineación quita presión a la espalda baja.

Los ejercicios de **amplitud de movimiento** son estiramientos. Algunos los hace usted solo
(*activos*). Otros usan una toalla, una pared o a otra persona (*asistidos*). En otros, usted se
relaja mientras otra cosa, como la gravedad, mueve su cuerpo (*pasivos*).

Necesitará una colchoneta o un piso con alfombra, una silla firme, una toalla pequeña y una pared.
""",
        "exercises": {
            "Pelvic tilt": (
                "Inclinación de la pelvis",
                "Activa los músculos profundos del abdomen que sostienen la espalda baja.",
                """Acuéstese boca arriba con las rodillas dobladas y los pies apoyados en el piso.
Apriete los músculos del abdomen, como si se preparara para toser.
Presione suavemente la parte baja de la espalda contra el piso. La cadera se inclinará un poco hacia arriba.
Mantenga la posición y luego relájese.""",
                "Mantenga 5 segundos. Repita 10 veces.",
                "Haga un movimiento pequeño. Los glúteos se quedan en el piso. Pare si siente un dolor agudo.",
                "Acostado boca arriba con las rodillas dobladas, los pies apoyados y las manos sobre el abdomen: "
                "la espalda baja, al principio un poco arqueada, se apoya plana en el piso mientras la cadera "
                "se inclina un poco hacia arriba.",
            ),
            "Bridge": (
                "Puente",
                "Fortalece los glúteos y la parte de atrás de los muslos, que comparten el trabajo de la espalda baja.",
                """Acuéstese boca arriba con las rodillas dobladas y los pies apoyados, separados al ancho de la cadera.
Apriete el abdomen y los glúteos.
Levante la cadera hasta que su cuerpo forme una línea recta de los hombros a las rodillas.
Mantenga la posición y luego baje despacio.""",
                "2 series de 10. Mantenga cada subida 3 segundos.",
                "No arquee la espalda arriba. Si se le acalambra la parte de atrás de los muslos, acerque los "
                "pies a la cadera.",
                "Acostado boca arriba con las rodillas dobladas, los pies apoyados y los brazos en el piso: la "
                "cadera sube hasta que hombros, cadera y rodillas forman una sola línea recta.",
            ),
            "Bird dog": (
                "Brazo y pierna contrarios en cuatro apoyos",
                "Enseña a la espalda y al abdomen a mantener firme la columna mientras mueve los brazos y las piernas.",
                """Póngase en cuatro apoyos: las manos debajo de los hombros y las rodillas debajo de la cadera.
Apriete el abdomen para que la espalda quede plana, como una mesa.
Estire despacio un brazo hacia adelante y la pierna contraria hacia atrás, a la altura de su cuerpo.
Mantenga la posición, vuelva a los cuatro apoyos y cambie de lado.""",
                "Mantenga 5 segundos. 8 veces de cada lado.",
                "No deje que la espalda se hunda o se tuerza. Si le cuesta mantener el equilibrio, levante "
                "solo una pierna al principio. Ponga una toalla doblada debajo de las rodillas si le duele "
                "arrodillarse.",
                "En cuatro apoyos con la espalda plana: un brazo se estira recto hacia adelante y la pierna "
                "contraria recta hacia atrás, las dos a la altura del cuerpo.",
            ),
            "Side-lying leg lift": (
                "Elevación de pierna de lado",
                "Fortalece los músculos del costado de la cadera, que mantienen la pelvis nivelada al caminar.",
                """Acuéstese de lado. Doble la rodilla de abajo para tener equilibrio.
Mantenga la pierna de arriba estirada, en línea con su cuerpo, con los dedos del pie hacia adelante.
Levante la pierna de arriba unos 30 centímetros (un pie) y bájela despacio.
Voltéese y repita con la otra pierna.""",
                "2 series de 10 de cada lado.",
                "No se eche hacia atrás al levantar la pierna. Pare si siente un pellizco en la parte de "
                "adelante de la cadera.",
                "Acostado de lado, con la cabeza sobre el brazo de abajo y la rodilla de abajo doblada: la "
                "pierna de arriba, estirada, sube unos 30 centímetros.",
            ),
            "Chin tuck": (
                "Meter la barbilla",
                "Lleva la cabeza hacia atrás, encima de los hombros, y así alivia la tensión del cuello y de "
                "la parte alta de la espalda.",
                """Siéntese o párese derecho y mire al frente.
Lleve la barbilla suavemente hacia atrás, en línea recta, como si hiciera papada.
Mantenga la mirada al frente: no incline la cabeza hacia arriba ni hacia abajo.
Mantenga la posición y luego relájese.""",
                "Mantenga 5 segundos. Repita 10 veces, unas cuantas veces al día.",
                "Es normal sentir un estiramiento suave en la base del cráneo. Pare si se marea o siente "
                "hormigueo en los brazos.",
                "La cabeza y los hombros vistos de lado: la cabeza se desliza recta hacia atrás, con la "
                "barbilla metida y la mirada al frente, hasta que la oreja queda encima del hombro.",
            ),
            "Shoulder blade squeeze": (
                "Juntar los omóplatos",
                "Fortalece los músculos que llevan los hombros hacia atrás, para que se encorve menos al estar sentado.",
                """Siéntese derecho con los brazos relajados a los lados.
Junte los omóplatos y bájelos un poco, como si quisiera meterlos en los bolsillos de atrás del pantalón.
Mantenga la posición y luego relájese.""",
                "Mantenga 5 segundos. Repita 10 veces.",
                "No suba los hombros hacia las orejas ni arquee la espalda baja.",
                "Sentado derecho, visto de espaldas: los dos omóplatos se acercan a la columna y bajan un poco.",
            ),
            "Wall stand": (
                "De pie contra la pared",
                "Le enseña a su cuerpo cómo se siente una postura bien alineada.",
                """Párese de espaldas a una pared, con los talones a unos 10 centímetros (4 pulgadas) de ella.
Toque la pared con los glúteos, los omóplatos y, si puede, la parte de atrás de la cabeza.
Apriete suavemente el abdomen. El espacio detrás de la espalda baja debe ser más o menos del grosor de su mano.
Respire con normalidad y mantenga la posición.
Sepárese de la pared y trate de mantener la misma postura al caminar.""",
                "Mantenga 30 segundos. Repita 3 veces. Hágalo unas cuantas veces al día.",
                "No fuerce la cabeza contra la pared si eso le hace levantar la barbilla.",
                "De pie de espaldas a una pared, con los talones a unos centímetros de ella: la parte de atrás "
                "de la cabeza, los omóplatos y los glúteos tocan la pared.",
            ),
            "Sitting with a towel roll": (
                "Sentarse con una toalla enrollada",
                "Sostiene la curva natural de la espalda baja cuando pasa mucho tiempo sentado.",
                """Enrolle una toalla de mano pequeña en forma de tubo.
Siéntese en una silla con los pies apoyados y las rodillas a la altura de la cadera.
Ponga el rollo detrás de la parte baja de la espalda, más o menos a la altura del cinturón.
Recárguese en él y deje que le sostenga.""",
                "Siempre que vaya a estar sentado más de 15 minutos. Levántese y muévase cada 30 a 45 minutos.",
                "El rollo debe sentirse como un apoyo, no como un empujón. Si el dolor aumenta, use un rollo "
                "más pequeño o ninguno.",
                "Sentado al fondo de una silla, con los pies apoyados y las rodillas a la altura de la cadera, "
                "con una toalla enrollada entre el respaldo y la parte baja de la espalda.",
            ),
            "Knee-to-chest stretch": (
                "Rodilla al pecho",
                "Un estiramiento activo para la espalda baja y los glúteos.",
                """Acuéstese boca arriba con las rodillas dobladas y los pies apoyados.
Tome una rodilla con las dos manos y llévela suavemente hacia el pecho.
Deje el otro pie en el piso. Mantenga la posición y luego baje la pierna.
Cambie de pierna.""",
                "Mantenga de 20 a 30 segundos. 3 veces de cada lado.",
                "Jale con suavidad. Si le duele la rodilla, sujete la pierna por detrás del muslo. Pare si el "
                "dolor le baja por la pierna.",
                "Acostado boca arriba con las rodillas dobladas: las dos manos toman una rodilla y la llevan "
                "hacia el pecho; el otro pie se queda apoyado en el piso.",
            ),
            "Cat and cow": (
                "Gato y vaca",
                "Un ejercicio activo que mueve cada parte de la columna, una tras otra.",
                """Póngase en cuatro apoyos: las manos debajo de los hombros y las rodillas debajo de la cadera.
Redondee despacio la espalda hacia el techo y deje caer la cabeza, como un gato.
Luego deje que el abdomen baje despacio hacia el piso y levante la cabeza.
Pase de una posición a la otra con suavidad.""",
                "10 vueltas lentas.",
                "Muévase solo hasta donde se sienta cómodo. Está bien hacer movimientos pequeños.",
                "En cuatro apoyos: el abdomen baja hacia el piso con la cabeza arriba, y luego la espalda se "
                "redondea hacia el techo con la cabeza abajo.",
            ),
            "Lower trunk rotation": (
                "Rodillas de lado a lado",
                "Un estiramiento activo que alivia la rigidez de la espalda baja y de la cadera.",
                """Acuéstese boca arriba con las rodillas dobladas y juntas, y los pies apoyados.
Mantenga los dos hombros en el piso.
Deje caer las rodillas despacio hacia un lado, hasta donde se sienta cómodo. Mantenga la posición.
Vuelva al centro y déjelas caer hacia el otro lado.""",
                "Mantenga 5 segundos. 10 veces hacia cada lado.",
                "Llegue solo hasta donde se sienta cómodo. Los hombros se quedan abajo.",
                "Visto desde arriba, acostado boca arriba con los brazos abiertos y las rodillas dobladas y "
                "juntas: las rodillas caen hacia un lado mientras los dos hombros se quedan en el piso.",
            ),
            "Hamstring stretch with a towel": (
                "Estiramiento de la parte de atrás del muslo con una toalla",
                "Un estiramiento asistido: la toalla le ayuda a estirar la parte de atrás del muslo, que jala "
                "de la espalda baja cuando está tensa.",
                """Acuéstese boca arriba con las dos rodillas dobladas.
Pase una toalla alrededor de un pie y sujete las dos puntas.
Estire esa pierna hacia el techo, con ayuda de la toalla, hasta sentir el estiramiento detrás del muslo.
Mantenga la posición, baje la pierna y cambie de lado.""",
                "Mantenga 30 segundos. 3 veces con cada pierna.",
                "Debe sentir un estiramiento, no dolor. Mantenga la otra rodilla doblada. Pare si siente "
                "hormigueo en la pierna o en el pie.",
                "Acostado boca arriba, con una rodilla doblada y el pie apoyado: una toalla rodea el otro pie "
                "y, con su ayuda, esa pierna se estira hacia el techo.",
            ),
            "Child’s pose": (
                "Postura del niño",
                "Un estiramiento pasivo: usted se relaja y deja que la gravedad estire su espalda.",
                """Arrodíllese en el piso con las rodillas un poco separadas.
Siéntese hacia atrás, sobre los talones.
Estire los brazos hacia adelante en el piso y apoye la frente.
Deje que su cuerpo se relaje y respire despacio.""",
                "Mantenga de 20 a 30 segundos. Repita 3 veces.",
                "No haga este ejercicio si le duelen las rodillas al doblarlas. Es más fácil con una almohada "
                "entre los talones y los glúteos.",
                "Desde cuatro apoyos, sentándose hacia atrás sobre los talones: los brazos se estiran hacia "
                "adelante por el piso y la frente descansa abajo.",
            ),
        },
    },
}


def load():
    now = timezone.now()
    for spec in GUIDES:
        _load_guide(spec, now)
    _add_missing_pictures()
    _add_missing_spanish()


def _load_guide(spec, now):
    fields = {k: v for k, v in spec.items() if k not in ("slug", "exercises", "reviewed_by")}
    fields["reviewed_by"] = Specialist.objects.filter(slug=spec["reviewed_by"]).first()
    guide, created = Guide.objects.get_or_create(
        slug=spec["slug"], defaults={**fields, "is_published": True, "published_at": now}
    )
    if created:
        for order, (category, name, purpose, steps, dosage, caution) in enumerate(spec["exercises"]):
            drawing, image_alt = PICTURES.get(name, ("", ""))
            Exercise.objects.create(
                guide=guide,
                category=category,
                name=name,
                purpose=purpose,
                steps=steps,
                dosage=dosage,
                caution=caution,
                order=order,
                drawing=drawing,
                image_alt=image_alt,
            )
    return guide


def _add_missing_pictures():
    """A sample exercise with no picture at all gets its drawing (sites that loaded the guides before there were drawings)."""
    bare = Exercise.objects.filter(
        guide__slug__in=[spec["slug"] for spec in GUIDES], name__in=PICTURES, drawing="", image="", image_alt=""
    )
    for exercise in bare:
        exercise.drawing, exercise.image_alt = PICTURES[exercise.name]
        exercise.save(update_fields=["drawing", "image_alt"])


GUIDE_TEXT = ("title", "summary", "body")
EXERCISE_TEXT = ("name", "purpose", "steps", "dosage", "caution", "image_alt")


def _add_missing_spanish():
    """The sample guides' Spanish, where a Spanish text is still empty: never over what staff wrote."""
    for guide in Guide.objects.filter(slug__in=SPANISH).prefetch_related("exercises"):
        spec = SPANISH[guide.slug]
        changed = _fill_empty(guide, dict(zip(GUIDE_TEXT, (spec[name] for name in GUIDE_TEXT), strict=True)))
        if changed:
            guide.save(update_fields=changed)
        for exercise in guide.exercises.all():
            texts = spec["exercises"].get(exercise.name_en)
            if texts and (changed := _fill_empty(exercise, dict(zip(EXERCISE_TEXT, texts, strict=True)))):
                exercise.save(update_fields=changed)


def _fill_empty(obj, texts):
    changed = []
    for name, text in texts.items():
        if not getattr(obj, f"{name}_es"):
            setattr(obj, f"{name}_es", text)
            changed.append(f"{name}_es")
    return changed
