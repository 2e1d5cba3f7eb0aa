"""Demo registrants, so the organisers' pages of the demo have people to search, check in and write to.

Fictional people from the countries the office works with, registered through the
real registration service: more than the demo lecture has seats, so the waiting list
shows too.
"""

import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration import services
from eventsys.registration.models import Registration

#: the demo event that gets registrants: a lecture of forty seats
EVENT_SLUG = "lecture-cubesat-propulsion"

#: (country, affiliation, category, people); the names are invented
GROUPS = (
    ("CN", "Harbin Institute of Technology", "student",
     ["Wang Hao", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Fan", "Zhao Lei", "Huang Min",
      "Zhou Xin", "Wu Tao", "Xu Lin", "Sun Yue"]),
    ("RU", "Bauman Moscow State Technical University", "student",
     ["Алексей Смирнов", "Мария Кузнецова", "Дмитрий Попов", "Анна Соколова", "Иван Лебедев",
      "Ольга Новикова"]),
    ("RU", "Samara National Research University", "faculty",
     ["Sergei Orlov", "Ekaterina Volkova", "Nikolai Fedorov"]),
    ("UA", "National Aerospace University \"Kharkiv Aviation Institute\"", "faculty",
     ["Oksana Melnyk", "Andrii Shevchenko", "Iryna Bondarenko"]),
    ("DE", "Technical University of Munich", "student", ["Jonas Weber", "Lena Fischer", "Felix Wagner"]),
    ("IT", "Politecnico di Milano", "student", ["Giulia Ricci", "Marco Esposito"]),
    ("FR", "ISAE-SUPAERO", "student", ["Camille Laurent", "Hugo Moreau"]),
    ("US", "Georgia Institute of Technology", "faculty", ["Emily Carter", "Daniel Brooks"]),
    ("GB", "Airbus Defence and Space", "industry", ["Oliver Hughes", "Amelia Price"]),
    ("JP", "Tohoku University", "student", ["Sato Yuki", "Takahashi Ren"]),
    ("PK", "Institute of Space Technology", "student", ["Ayesha Khan", "Bilal Ahmed"]),
    ("EG", "Cairo University", "faculty", ["Nour El-Sayed", "Omar Hassan"]),
    ("KZ", "Al-Farabi Kazakh National University", "student", ["Aigerim Nurlanova", "Daniyar Seitkali"]),
)


def demo_email(name: str, number: int) -> str:
    """first.last@example.org for Latin names; a numbered address for names in other scripts."""
    if name.isascii():
        return f"{name.lower().replace(' ', '.').replace('-', '')}@example.org"
    return f"demo.attendee{number}@example.org"


def register_demo_attendees() -> int:
    """Register the demo people not registered yet (a second run adds nobody); returns how many."""
    event = db.session.scalars(sa.select(Event).where(Event.slug == EVENT_SLUG)).first()
    if event is None:
        return 0
    try:
        services.ensure_registration_open(event)
    except services.RegistrationClosed:
        return 0
    known = set(db.session.scalars(sa.select(Registration.email).where(Registration.event_id == event.id)))
    added = 0
    number = 0
    for country, affiliation, category, names in GROUPS:
        for name in names:
            number += 1
            email = demo_email(name, number)
            if email in known:
                continue
            services.register(event, services.Applicant(
                name=name, email=email, affiliation=affiliation, country=country, category=category,
            ))
            added += 1
    return added
