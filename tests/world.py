"""One of everything the organiser pages show, for tests that walk them all."""

from dataclasses import dataclass
from datetime import timedelta

from eventsys.database import db, utcnow
from eventsys.events.models import ProgrammeItem
from eventsys.mail import outbox
from eventsys.messages.models import Audience, Mailing
from eventsys.registration import services
from eventsys.registration.models import QuestionKind
from eventsys.speakers.models import Engagement, Institution, Speaker, SpeakerRole
from tests.factories import add_question, applicant, make_event, make_organiser


@dataclass
class World:
    organiser_email: str
    #: route parameter name → the id of an object the organiser's event owns
    ids: dict[str, int]


def build_world() -> World:
    """An event managed by one organiser, with a registrant, question, programme item, speaker, email."""
    event = make_event(title="International Symposium on Smart Materials", capacity=1)
    organiser = make_organiser("organiser@example.org", event)
    question = add_question(event, QuestionKind.text, "Dietary needs")
    registration = services.register(event, applicant(1))
    services.register(event, applicant(2))  # waiting
    institution = Institution(name="Bauman Moscow State Technical University", country="RU", partner=True)
    speaker = Speaker(name="Irina Volkova", title="Prof.", email="volkova@example.org", country="RU",
                      institution=institution)
    db.session.add_all([institution, speaker])
    db.session.flush()
    item = ProgrammeItem(event_id=event.id, title="Keynote", starts_at=event.starts_at,
                         ends_at=event.starts_at + timedelta(hours=1))
    db.session.add(item)
    db.session.flush()
    engagement = Engagement(speaker_id=speaker.id, event_id=event.id, programme_item_id=item.id,
                            role=SpeakerRole.keynote)
    mailing = Mailing(event_id=event.id, audience=Audience.registrants, subject="Welcome", body="Hello",
                      recipient_count=1, sent_by_id=organiser.id)
    db.session.add_all([engagement, mailing])
    db.session.flush()
    email_id = outbox.enqueue("registration_confirmed", registration.email, f"world:{utcnow().isoformat()}",
                              event_id=event.id, registration_id=registration.id)
    db.session.commit()
    return World(
        organiser_email=organiser.email,
        ids={
            "event_id": event.id, "registration_id": registration.id, "question_id": question.id,
            "item_id": item.id, "speaker_id": speaker.id, "institution_id": institution.id,
            "engagement_id": engagement.id, "email_id": email_id, "mailing_id": mailing.id,
            "user_id": organiser.id,
        },
    )
