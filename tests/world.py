"""One of everything the organiser pages show, for tests that walk them all."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import ProgrammeItem
from eventsys.invitations import services as invitations
from eventsys.invitations.invitees import Invitee
from eventsys.invitations.models import Invitation
from eventsys.mail import outbox
from eventsys.messages.models import Audience, Mailing
from eventsys.registration import services
from eventsys.registration.models import QuestionKind
from eventsys.speakers import photos
from eventsys.speakers.models import Engagement, Institution, Speaker, SpeakerPhoto, SpeakerRole
from eventsys.visas import passports
from eventsys.visas.models import LetterStatus, VisaLetter
from eventsys.visas.passports import PassportDetails
from eventsys.webhooks import signing
from eventsys.webhooks.models import WebhookEndpoint
from tests.factories import add_question, applicant, make_event, make_organiser

#: a 2×2 PNG, for the world's speaker's photo
_TINY_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00"
             b"\xfd\xd4\x9as"
             b"\x00\x00\x00\x16IDATx\x9ccddbf```b`````\x00\x00\x00p\x00\n3\xc5\xf7\x88\x00\x00\x00\x00IEND\xaeB`\x82")


def issued_letter(event, registration) -> VisaLetter:
    """An issued visa letter of the registration (its PDF a stand-in: rendering one is slow)."""
    details = PassportDetails(full_name="Ivanov Ivan", passport_number="751234567", nationality="RU",
                              date_of_birth=date(1980, 5, 17))
    letter = VisaLetter(event_id=event.id, registration_id=registration.id, status=LetterStatus.approved,
                        reference=f"VL-2027-W{registration.id:05d}", email=registration.email,
                        requester_name=registration.name, passport_data=passports.seal(details),
                        arrival_on=date(2027, 4, 10), departure_on=date(2027, 4, 16), purpose="To attend",
                        consulate="Consulate-General in Munich", holder_masked="I***** I***",
                        letter_pdf=passports.encrypt_bytes(b"%PDF-1.4 stand-in"))
    db.session.add(letter)
    db.session.flush()
    return letter


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
    # The speaker's photo, so its workspace address answers (a tiny real JPEG, as photos.py keeps them).
    photo = SpeakerPhoto(speaker_id=speaker.id, version="world", data=photos.cleaned_photo(_TINY_PNG))
    db.session.add_all([engagement, mailing, photo])
    db.session.flush()
    email_id = outbox.enqueue("registration_confirmed", registration.email, f"world:{utcnow().isoformat()}",
                              event_id=event.id, registration_id=registration.id)
    letter = issued_letter(event, registration)
    # Port 9 (discard) on loopback: a delivery is refused as a private address, or finds nobody listening.
    endpoint = WebhookEndpoint(owner_id=organiser.id, event_id=event.id, url="http://127.0.0.1:9/eventsys",
                               event_types=["registration.created", "registration.cancelled"],
                               secret=signing.seal(signing.new_secret()))
    db.session.add(endpoint)
    db.session.commit()
    invitee = Invitee("Li Wei", "liwei@example.cn", "Harbin Institute of Technology")
    batch = invitations.invite(event.id, [invitee], invitations.BatchOptions())
    invitation_id = db.session.scalar(sa.select(Invitation.id).where(Invitation.batch_id == batch.id))
    return World(
        organiser_email=organiser.email,
        ids={
            "event_id": event.id, "registration_id": registration.id, "question_id": question.id,
            "item_id": item.id, "speaker_id": speaker.id, "institution_id": institution.id,
            "engagement_id": engagement.id, "email_id": email_id, "mailing_id": mailing.id,
            "user_id": organiser.id, "letter_id": letter.id, "endpoint_id": endpoint.id,
            "invitation_id": invitation_id,
        },
    )


def url_of(rule: str, ids: dict[str, int]) -> str:
    """The rule with each <int:name> filled with the world's object of that name."""
    url = rule
    for name, value in ids.items():
        url = url.replace(f"<int:{name}>", str(value))
    assert "<" not in url, f"{rule}: tests/world.py has no object for this parameter: add one"
    return url
