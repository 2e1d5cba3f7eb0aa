"""A visa letter request waiting for the demo organiser: the demo lecture offers letters, one attendee asked.

Made through the real request rule, so it is only made where it could be: when this
installation has a passport key (`make run` makes one) and the attendee's seat is
confirmed. The passport details are invented.
"""

from datetime import date, timedelta

import sqlalchemy as sa

from eventsys.database import db
from eventsys.demo.attendees import EVENT_SLUG
from eventsys.events.models import Event
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.visas import passports, services
from eventsys.visas.models import VisaLetter
from eventsys.visas.passports import PassportDetails

#: the demo attendee who asks, as registered by demo/attendees.py
REQUESTER = "Алексей Смирнов"


def request_demo_letter() -> int:
    """Have the demo lecture offer letters and queue one request; returns 1 when it was made now."""
    event = db.session.scalars(sa.select(Event).where(Event.slug == EVENT_SLUG)).first()
    if event is None or not passports.available():
        return 0
    if not event.offers_visa_letters:
        event.offers_visa_letters = True
        db.session.commit()
    person = db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.name == REQUESTER,
        Registration.status == RegistrationStatus.confirmed)).first()
    if person is None:
        return 0
    if db.session.scalar(sa.select(VisaLetter.id).where(VisaLetter.registration_id == person.id)):
        return 0
    first_day = event.starts_at.astimezone(event.zone).date()
    last_day = event.ends_at.astimezone(event.zone).date()
    details = PassportDetails(full_name="Смирнов Алексей Игоревич", passport_number="751234567",
                              nationality="RU", date_of_birth=date(2001, 3, 14))
    request = services.LetterRequest(
        passport=details, arrival_on=first_day - timedelta(days=2), departure_on=last_day + timedelta(days=3),
        purpose="To attend the lecture and meet the propulsion laboratory",
        consulate="Consulate-General of the People's Republic of China in Kazan",
    )
    try:
        services.request_letter(services.registrant(person.token), request)
    except services.LetterRefused:
        return 0  # the lecture is too close or over: the demo simply has no request then
    return 1
