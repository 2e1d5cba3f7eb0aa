"""The demo year of the School of Astronautics: partners, visiting speakers, events and their programmes.

Every person here is invented; the institutions and the event series are real. Dates are not fixed:
`in_days` counts from the day the seed runs, so the demo always shows an upcoming year. Times are
wall-clock times in the event's own timezone; programme items give the day of the event (1 = first).
"""

from datetime import timedelta

from eventsys.events.models import EventKind, EventMode, EventStatus
from eventsys.registration.models import QuestionKind
from eventsys.speakers.models import SpeakerRole

#: where the school's own events take place ("Asia/Harbin" is not an IANA zone; Harbin keeps Beijing time)
HARBIN = "Asia/Shanghai"
CENTRE = "Academic Exchange Centre, School of Astronautics, Harbin"


def paragraphs(*texts: str) -> str:
    """Join paragraphs the way descriptions store them: separated by a blank line."""
    return "\n\n".join(texts)


# The programme rows: (day of the event, start, end, title, room).
SYMPOSIUM_PROGRAMME = (
    (1, "08:30", "09:15", "Opening ceremony", "Main Hall"),
    (1, "09:15", "10:15", "Keynote: Intelligent MEMS sensors for spacecraft navigation", "Main Hall"),
    (1, "10:30", "11:30", "Keynote: Heterogeneous integration of microsystems", "Main Hall"),
    (1, "13:30", "17:30", "Parallel session A: MEMS sensors and actuators", "Room 201"),
    (1, "13:30", "17:30", "Parallel session B: Micro-propulsion and microfluidics", "Room 202"),
    (2, "09:00", "10:00", "Keynote: Networked control of distributed microsystems", "Main Hall"),
    (2, "10:30", "12:00", "Parallel session C: Intelligent control and signal processing", "Room 201"),
    (2, "10:30", "12:00", "Parallel session D: Micro- and nano-fabrication", "Room 202"),
    (2, "14:00", "16:00", "Poster session", "Foyer"),
    (2, "16:00", "17:30", "Panel: From laboratory microsystems to flight hardware", "Main Hall"),
    (3, "09:00", "11:30", "Parallel session E: Microsystems for small satellites", "Room 201"),
    (3, "11:30", "12:15", "Closing ceremony and best paper awards", "Main Hall"),
)

CONFERENCE_PROGRAMME = (
    (1, "08:30", "09:15", "Opening ceremony", "Main Auditorium"),
    (1, "09:15", "10:15", "Keynote: Shape-memory polymer composites for deployable space structures",
     "Main Auditorium"),
    (1, "10:30", "11:30", "Keynote: Multifunctional nanocomposites, from thin films to structures",
     "Main Auditorium"),
    (1, "13:30", "15:30", "Parallel session 1: Shape-memory materials and 4D printing", "Room 301"),
    (1, "13:30", "15:30", "Parallel session 2: Nanomaterials for sensing and energy", "Room 302"),
    (1, "16:00", "17:30", "Parallel session 3: Smart composite structures", "Room 303"),
    (2, "09:00", "10:00", "Keynote: Smart materials in medical microdevices", "Main Auditorium"),
    (2, "10:30", "12:00", "Parallel session 4: Modelling and simulation of smart materials", "Room 301"),
    (2, "10:30", "12:00", "Parallel session 5: Nanotechnology in aerospace engineering", "Room 302"),
    (2, "14:00", "16:30", "Poster session", "Exhibition Hall"),
    (3, "09:00", "10:30", "Panel: Smart materials in the next generation of spacecraft", "Main Auditorium"),
    (3, "11:00", "11:45", "Closing ceremony and poster awards", "Main Auditorium"),
)

MEDICAL_FORUM_PROGRAMME = (
    (1, "09:00", "09:30", "Opening ceremony", "Main Hall"),
    (1, "09:30", "10:30", "Keynote: From cell biology to the clinic", "Main Hall"),
    (1, "10:45", "11:45", "Keynote: Robots for minimally invasive surgery", "Main Hall"),
    (1, "13:30", "15:30", "Parallel session: Medical microsystems and biosensors", "Room 201"),
    (1, "13:30", "15:30", "Parallel session: Space medicine and life support", "Room 202"),
    (1, "16:00", "17:30", "Panel: Hospitals, industry and universities", "Main Hall"),
    (2, "09:00", "11:00", "Poster session and partnering meetings", "Foyer"),
    (2, "11:15", "12:00", "Closing ceremony", "Main Hall"),
)

COMPETITION_PROGRAMME = (
    (1, "08:30", "09:00", "Opening ceremony", "Main Hall"),
    (1, "09:00", "12:00", "Team presentations: Earth observation missions", "Main Hall"),
    (1, "13:30", "17:00", "Team presentations: Deep-space and technology demonstration missions",
     "Main Hall"),
    (2, "09:00", "11:00", "Design review by the international jury", "Room 305"),
    (2, "11:00", "12:00", "Keynote: What makes a student spacecraft fly", "Main Hall"),
    (2, "14:00", "15:30", "Poster and model exhibition", "Foyer"),
    (2, "16:00", "17:00", "Awards and closing ceremony", "Main Hall"),
)

SATELLITE_FORUM_PROGRAMME = (
    (1, "08:30", "09:00", "Opening", "Main Hall"),
    (1, "09:00", "10:00", "Keynote: Thirty years of student small satellites", "Main Hall"),
    (1, "10:15", "11:15", "Keynote: Formation flying with nanosatellites", "Main Hall"),
    (1, "11:15", "12:15", "Poster session", "Foyer"),
    (1, "13:30", "15:30", "Parallel session A: Student CubeSat missions", "Room 201"),
    (1, "13:30", "15:30", "Parallel session B: Ground stations and radio links", "Room 202"),
    (1, "15:45", "17:00", "Panel: Launch opportunities for university satellites", "Main Hall"),
    (1, "17:00", "17:30", "Closing", "Main Hall"),
)


def _lecture(slug: str, title: str, in_days: int, starts: str, ends: str, timezone: str,
             summary: str, description: str, capacity: int | None = 300, **extra) -> dict:
    """An online lecture by a foreign expert: ninety minutes, the link sent to those registered."""
    return {"slug": slug, "kind": EventKind.lecture, "mode": EventMode.online, "title": title,
            "summary": summary, "description": description, "in_days": in_days, "starts": starts,
            "ends": ends, "timezone": timezone, "venue": "Online", "capacity": capacity, **extra}


ONLINE_LECTURE_NOTE = ("The lecture is part of the school's series of online lectures by foreign experts. "
                       "It is held in English and followed by questions from the audience.")

EVENTS = (
    _lecture(
        "lecture-shape-memory-polymers-in-space", "Shape-Memory Polymers in Space", 12, "16:00", "17:30",
        HARBIN,
        "How polymers that remember their shape can unfold antennas, hinges and solar arrays in orbit.",
        paragraphs(
            "Shape-memory polymers can be folded, stowed for launch and then recover their shape when "
            "heated. The lecture reviews the materials, the composites built from them and the deployable "
            "structures they already make possible.",
            "Examples come from two technology demonstration missions and from ground tests of hinges "
            "and booms.",
            ONLINE_LECTURE_NOTE,
        ),
    ),
    _lecture(
        "lecture-networked-control-systems", "Control over Unreliable Networks", 26, "15:00", "16:30",
        HARBIN,
        "Stability and performance of control systems whose signals travel over lossy, delayed networks.",
        paragraphs(
            "When sensors, controllers and actuators share a network, packets are delayed and lost. The "
            "lecture introduces the models used for such networked control systems and the design "
            "methods that keep them stable.",
            "Applications range from satellite constellations to industrial plants.",
            ONLINE_LECTURE_NOTE,
        ),
        capacity=None,
    ),
    {
        "slug": "lecture-cubesat-propulsion", "kind": EventKind.lecture, "mode": EventMode.in_person,
        "title": "Micro-Propulsion for CubeSats", "in_days": 33, "starts": "14:30", "ends": "16:00",
        "timezone": HARBIN, "venue": "Room 305, " + CENTRE, "capacity": 40,
        "summary": "A visiting lecture on the small thrusters that let CubeSats change orbit, with hardware "
                   "to look at.",
        "description": paragraphs(
            "CubeSats that can manoeuvre do far more science than those that cannot. This lecture compares "
            "cold-gas, resistojet and electric micro-thrusters and the trade-offs a student team faces.",
            "Engineering models of two thrusters will be passed around, so seats are limited to forty.",
        ),
    },
    {
        "slug": "intelligent-microsystems-symposium", "kind": EventKind.symposium,
        "mode": EventMode.hybrid, "title": "International Symposium on Intelligent Microsystems",
        "in_days": 40, "starts": "08:30", "ends": "12:30", "days": 3, "timezone": HARBIN,
        "venue": CENTRE, "capacity": 250, "programme": SYMPOSIUM_PROGRAMME,
        "summary": "Three days on MEMS sensors, micro-actuators and the intelligence that makes them work "
                   "together, from the laboratory to flight hardware.",
        "description": paragraphs(
            "The International Symposium on Intelligent Microsystems brings together researchers in MEMS, "
            "micro-fabrication and control. It continues the symposium the school first hosted in 2019.",
            "Keynotes by invited speakers open each day; parallel sessions and a poster session present "
            "contributed papers. A panel discusses how microsystems move from the laboratory to orbit.",
            "The symposium is hybrid: speakers and participants who cannot travel to Harbin join online.",
        ),
    },
    _lecture(
        "lecture-thermal-control-of-small-spacecraft", "Thermal Control of Small Spacecraft", 54,
        "11:00", "12:30", "Europe/Moscow",
        "Keeping a small satellite neither too hot nor too cold, from the first estimate to thermal vacuum "
        "tests.",
        paragraphs(
            "Small spacecraft have little mass to store heat and little area to reject it. The lecture "
            "walks through thermal design of a small satellite, from a first energy balance to the test "
            "campaign.",
            "It is broadcast from Moscow; times are shown in Moscow time and in your own.",
            ONLINE_LECTURE_NOTE,
        ),
    ),
    {
        "slug": "smart-materials-nanotechnology-conference", "kind": EventKind.conference,
        "mode": EventMode.in_person,
        "title": "International Conference on Smart Materials and Nanotechnology in Engineering",
        "in_days": 75, "starts": "08:30", "ends": "12:00", "days": 3, "timezone": HARBIN,
        "venue": "Main Auditorium, School of Astronautics, Harbin", "capacity": 400,
        "programme": CONFERENCE_PROGRAMME,
        "summary": "The conference series on smart materials and nanotechnology returns to Harbin, with "
                   "keynotes, five parallel sessions and a poster session.",
        "description": paragraphs(
            "The International Conference on Smart Materials and Nanotechnology in Engineering covers "
            "shape-memory materials, smart composites, nanomaterials and their use in aerospace, "
            "medicine and energy. The school hosted its seventh edition.",
            "Authors of accepted papers present in parallel sessions or at the poster session; the best "
            "posters are awarded at the closing ceremony.",
            "Please register before booking travel: the auditorium holds 400 people.",
        ),
    },
    {
        "slug": "medical-industry-cross-summit-forum", "kind": EventKind.forum,
        "mode": EventMode.in_person, "title": "Harbin International Medical Industry Cross Summit Forum",
        "in_days": 120, "starts": "09:00", "ends": "12:30", "days": 2, "timezone": HARBIN,
        "venue": CENTRE, "capacity": 300, "programme": MEDICAL_FORUM_PROGRAMME,
        "summary": "Where medicine meets engineering: researchers, clinicians and companies on medical "
                   "microsystems, surgical robotics and space medicine.",
        "description": paragraphs(
            "The forum crosses the borders between medical research, engineering and industry. Aerospace "
            "technologies such as microsystems, robotics and life-support systems find new uses in "
            "hospitals, and medicine sets new problems for engineers.",
            "The first day has keynotes and two parallel sessions; the second is given to posters and "
            "partnering meetings between hospitals, companies and universities.",
        ),
    },
    {
        "slug": "student-spacecraft-design-competition", "kind": EventKind.competition,
        "mode": EventMode.hybrid,
        "title": "International University Student Spacecraft Innovative Design Competition",
        "in_days": 160, "starts": "08:30", "ends": "17:00", "days": 2, "timezone": HARBIN,
        "venue": CENTRE, "capacity": 150, "programme": COMPETITION_PROGRAMME,
        # Teams must be known in advance to plan the jury's design reviews.
        "registration_closes_before": timedelta(days=5),
        "summary": "Student teams from around the world present their spacecraft designs to an "
                   "international jury.",
        "description": paragraphs(
            "Teams of up to five students design a small spacecraft mission: its goal, its orbit and its "
            "subsystems. On the first day every team presents; on the second the jury reviews the best "
            "designs in depth.",
            "Teams abroad may present online. Registration closes five days before the competition so that "
            "the jury can read the design reports.",
        ),
    },
    _lecture(
        "lecture-nanocomposite-thin-films", "Mechanics of Nanocomposite Thin Films", 150, "16:00", "17:30",
        HARBIN,
        "Why thin films crack, buckle and peel, and how nanostructure can prevent it.",
        paragraphs(
            "Thin films protect, sense and conduct in almost every device. The lecture explains the "
            "mechanics of films a few hundred nanometres thick and how nanocomposite films are designed "
            "to resist cracking and delamination.",
            ONLINE_LECTURE_NOTE,
        ),
    ),
    {
        "slug": "student-micro-nano-satellites-forum", "kind": EventKind.forum,
        "mode": EventMode.in_person, "title": "Technology Forum on Student Micro/nano-satellites",
        "in_days": 200, "starts": "08:30", "ends": "17:30", "timezone": HARBIN,
        "venue": CENTRE, "capacity": 120, "programme": SATELLITE_FORUM_PROGRAMME,
        "summary": "A day for the students who build satellites: missions, ground stations and launch "
                   "opportunities.",
        "description": paragraphs(
            "University teams present the micro- and nano-satellites they have built or are building, "
            "and share what worked and what did not.",
            "Keynotes by experienced mission leaders open the day; a panel on launch opportunities "
            "closes it.",
        ),
    },
    _lecture(
        "lecture-autonomous-spacecraft-guidance", "Autonomous Guidance for Satellite Swarms", 240, "20:00",
        "21:30", "America/New_York",
        "How swarms of small satellites can plan and control their own manoeuvres without the ground.",
        paragraphs(
            "A swarm of satellites cannot wait for the ground to plan every manoeuvre. The lecture "
            "presents guidance and control methods that let spacecraft decide together, and the "
            "networked control theory behind them.",
            "It is given live from Atlanta in the evening there, which is the next morning in Harbin.",
            ONLINE_LECTURE_NOTE,
        ),
        # Announced early; registration opens two months before the lecture.
        registration_opens_before=timedelta(days=60),
    ),
    {
        # Work in progress: organisers see it, visitors do not.
        "slug": "belt-and-road-aerospace-education-forum", "kind": EventKind.forum,
        "mode": EventMode.in_person, "status": EventStatus.draft,
        "title": "Belt and Road Aerospace Education Forum", "in_days": 290, "starts": "09:00",
        "ends": "17:00", "timezone": HARBIN, "venue": CENTRE, "capacity": 200,
        "summary": "Partner universities from Russia, Ukraine and beyond on joint aerospace degrees.",
        "description": paragraphs(
            "Draft: programme and speakers to be confirmed with the partner universities.",
        ),
    },
)

# (speaker email, event slug, programme item title or None for the event as a whole, role)
ENGAGEMENTS = (
    ("chiara.valmontesi@example.org", "lecture-shape-memory-polymers-in-space", None,
     SpeakerRole.online_lecture),
    ("taras.levkovych@example.org", "lecture-networked-control-systems", None, SpeakerRole.online_lecture),
    ("femke.oosterwold@example.org", "lecture-cubesat-propulsion", None, SpeakerRole.invited_talk),
    ("gleb.sorokovikov@example.org", "lecture-thermal-control-of-small-spacecraft", None,
     SpeakerRole.online_lecture),
    ("svetlana.orekhova@example.org", "lecture-nanocomposite-thin-films", None, SpeakerRole.online_lecture),
    ("m.delacroix-hale@example.com", "lecture-autonomous-spacecraft-guidance", None,
     SpeakerRole.online_lecture),
    ("haruto.kirisame@example.org", "intelligent-microsystems-symposium",
     "Keynote: Intelligent MEMS sensors for spacecraft navigation", SpeakerRole.keynote),
    ("lukas.brandhuber@example.org", "intelligent-microsystems-symposium",
     "Keynote: Heterogeneous integration of microsystems", SpeakerRole.keynote),
    ("ingrid.halvorsen-lund@example.org", "intelligent-microsystems-symposium",
     "Parallel session A: MEMS sensors and actuators", SpeakerRole.invited_talk),
    ("femke.oosterwold@example.org", "intelligent-microsystems-symposium",
     "Parallel session B: Micro-propulsion and microfluidics", SpeakerRole.invited_talk),
    ("m.delacroix-hale@example.com", "intelligent-microsystems-symposium",
     "Keynote: Networked control of distributed microsystems", SpeakerRole.keynote),
    ("taras.levkovych@example.org", "intelligent-microsystems-symposium",
     "Parallel session C: Intelligent control and signal processing", SpeakerRole.invited_talk),
    ("lukas.brandhuber@example.org", "intelligent-microsystems-symposium",
     "Panel: From laboratory microsystems to flight hardware", SpeakerRole.panel),
    ("haruto.kirisame@example.org", "intelligent-microsystems-symposium",
     "Panel: From laboratory microsystems to flight hardware", SpeakerRole.panel),
    ("k.berezhnoy@example.org", "intelligent-microsystems-symposium",
     "Panel: From laboratory microsystems to flight hardware", SpeakerRole.panel),
    ("k.berezhnoy@example.org", "intelligent-microsystems-symposium",
     "Parallel session E: Microsystems for small satellites", SpeakerRole.invited_talk),
    ("chiara.valmontesi@example.org", "smart-materials-nanotechnology-conference",
     "Keynote: Shape-memory polymer composites for deployable space structures", SpeakerRole.keynote),
    ("svetlana.orekhova@example.org", "smart-materials-nanotechnology-conference",
     "Keynote: Multifunctional nanocomposites, from thin films to structures", SpeakerRole.keynote),
    ("oksana.zavhorodnia@example.org", "smart-materials-nanotechnology-conference",
     "Parallel session 3: Smart composite structures", SpeakerRole.invited_talk),
    ("naomi.ashgrove@example.com", "smart-materials-nanotechnology-conference",
     "Keynote: Smart materials in medical microdevices", SpeakerRole.keynote),
    ("lukas.brandhuber@example.org", "smart-materials-nanotechnology-conference",
     "Parallel session 5: Nanotechnology in aerospace engineering", SpeakerRole.invited_talk),
    ("chiara.valmontesi@example.org", "smart-materials-nanotechnology-conference",
     "Panel: Smart materials in the next generation of spacecraft", SpeakerRole.panel),
    ("oksana.zavhorodnia@example.org", "smart-materials-nanotechnology-conference",
     "Panel: Smart materials in the next generation of spacecraft", SpeakerRole.panel),
    ("svetlana.orekhova@example.org", "smart-materials-nanotechnology-conference",
     "Panel: Smart materials in the next generation of spacecraft", SpeakerRole.panel),
    ("alistair.penhallow@example.org", "medical-industry-cross-summit-forum",
     "Keynote: From cell biology to the clinic", SpeakerRole.keynote),
    ("naomi.ashgrove@example.com", "medical-industry-cross-summit-forum",
     "Keynote: Robots for minimally invasive surgery", SpeakerRole.keynote),
    ("haruto.kirisame@example.org", "medical-industry-cross-summit-forum",
     "Parallel session: Medical microsystems and biosensors", SpeakerRole.invited_talk),
    ("ingrid.halvorsen-lund@example.org", "medical-industry-cross-summit-forum",
     "Parallel session: Space medicine and life support", SpeakerRole.invited_talk),
    ("alistair.penhallow@example.org", "medical-industry-cross-summit-forum",
     "Panel: Hospitals, industry and universities", SpeakerRole.panel),
    ("naomi.ashgrove@example.com", "medical-industry-cross-summit-forum",
     "Panel: Hospitals, industry and universities", SpeakerRole.panel),
    ("emile.rocheforte@example.org", "student-spacecraft-design-competition",
     "Keynote: What makes a student spacecraft fly", SpeakerRole.keynote),
    ("emile.rocheforte@example.org", "student-spacecraft-design-competition",
     "Design review by the international jury", SpeakerRole.panel),
    ("k.berezhnoy@example.org", "student-spacecraft-design-competition",
     "Design review by the international jury", SpeakerRole.panel),
    ("arkady.volobuev@example.org", "student-micro-nano-satellites-forum",
     "Keynote: Thirty years of student small satellites", SpeakerRole.keynote),
    ("k.berezhnoy@example.org", "student-micro-nano-satellites-forum",
     "Keynote: Formation flying with nanosatellites", SpeakerRole.keynote),
    ("femke.oosterwold@example.org", "student-micro-nano-satellites-forum",
     "Parallel session A: Student CubeSat missions", SpeakerRole.invited_talk),
    ("arkady.volobuev@example.org", "student-micro-nano-satellites-forum",
     "Panel: Launch opportunities for university satellites", SpeakerRole.panel),
    ("emile.rocheforte@example.org", "student-micro-nano-satellites-forum",
     "Panel: Launch opportunities for university satellites", SpeakerRole.panel),
    ("gleb.sorokovikov@example.org", "student-micro-nano-satellites-forum",
     "Panel: Launch opportunities for university satellites", SpeakerRole.panel),
)

# Custom registration questions by event slug, in the order the form shows them.
QUESTIONS = {
    "smart-materials-nanotechnology-conference": (
        {"label": "Will you present a poster?", "kind": QuestionKind.yes_no, "required": True},
        {"label": "Paper ID, if any", "kind": QuestionKind.text,
         "help_text": "As in the acceptance email, for example SMN-0123."},
        {"label": "Sessions you plan to attend", "kind": QuestionKind.multiple_choice,
         "help_text": "Helps us assign rooms to the parallel sessions.",
         "options": ["Shape-memory materials and 4D printing", "Nanomaterials for sensing and energy",
                     "Smart composite structures", "Modelling and simulation of smart materials",
                     "Nanotechnology in aerospace engineering"]},
        {"label": "Dietary requirements", "kind": QuestionKind.single_choice,
         "options": ["None", "Vegetarian", "Vegan", "Halal", "Gluten-free"]},
        {"label": "Number of accompanying persons", "kind": QuestionKind.number, "number_min": 0,
         "whole_numbers": True},
        {"label": "Arrival date", "kind": QuestionKind.date,
         "help_text": "For airport pick-up from Harbin Taiping International Airport."},
    ),
    "intelligent-microsystems-symposium": (
        {"label": "How will you attend?", "kind": QuestionKind.single_choice, "required": True,
         "options": ["In Harbin", "Online"]},
        {"label": "Will you present a poster?", "kind": QuestionKind.yes_no},
    ),
    "student-spacecraft-design-competition": (
        {"label": "Team name", "kind": QuestionKind.text, "required": True},
        {"label": "Team members", "kind": QuestionKind.long_text,
         "help_text": "One per line: name, university, year of study."},
        {"label": "Mission category", "kind": QuestionKind.single_choice, "required": True,
         "options": ["Earth observation", "Deep space", "Technology demonstration"]},
    ),
}
