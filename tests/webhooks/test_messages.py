"""Each change writes its webhook message in its own transaction; each endpoint gets what it subscribed to."""

import json

import pytest
import sqlalchemy as sa

from eventsys.accounts.services import add_manager
from eventsys.database import db
from eventsys.events import lifecycle, management
from eventsys.invitations import services as invitations_to_register
from eventsys.invitations.invitees import Invitee
from eventsys.invitations.models import Invitation
from eventsys.mail import outbox
from eventsys.registration import handling
from eventsys.registration import services as registration
from eventsys.speakers import invitations
from eventsys.speakers.models import Institution, Speaker
from eventsys.webhooks import emit, message_types, services
from eventsys.webhooks.models import WebhookMessage
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, registration_body


def _messages() -> list[WebhookMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WebhookMessage).order_by(WebhookMessage.id)))


def _sent(receiver) -> list[tuple[str, dict]]:
    return [(body["type"], body["data"]) for body in (json.loads(r.body) for r in receiver.received)]


@both_databases
def test_without_any_endpoint_no_change_writes_a_message(app):
    event = make_event(capacity=1)
    first = registration.register(event, applicant(1))
    registration.register(event, applicant(2))
    registration.cancel_registration(first.id)
    lifecycle.cancel_event(event.id)
    assert _messages() == []


@both_databases
def test_a_public_registration_writes_exactly_one_message_in_its_own_statement(app, client, receivers):
    receiver = receivers(204)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    answer = client.post(f"/api/v1/events/{event.slug}/registrations", json=registration_body(1))
    assert answer.status_code == 201, answer.json
    [message] = _messages()
    assert (message.type, message.event_id) == ("registration.created", event.id)
    [(kind, data)] = _sent(receiver)  # handed on at once, not left for the sweep
    assert kind == "registration.created" and data["registration"]["status"] == "confirmed"
    assert data["event"] == {"id": event.id, "slug": event.slug, "status": "published"}


@both_databases
def test_a_registration_rolled_back_leaves_no_message(app, receivers):
    receiver = receivers(204)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["registration.created"], event.id)
    registration.register(event, applicant(1))
    # The same person again: the seat statement's insert is refused, and everything it wrote with it.
    with pytest.raises(registration.AlreadyRegistered):
        registration.register(event, applicant(1))
    assert len(_messages()) == 1 and len(receiver.received) == 1


def test_a_message_of_a_transaction_rolled_back_is_neither_written_nor_sent(app, receivers):
    receiver = receivers(204)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["event.updated"], event.id)
    emit.emit_event(message_types.EVENT_UPDATED, event)
    db.session.rollback()
    db.session.commit()
    assert _messages() == [] and receiver.received == []


@both_databases
def test_cancelling_promoting_and_changing_the_event_each_tell_the_receiver(app, receivers):
    receiver = receivers(204)
    event = make_event(capacity=1)
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, sorted(message_types.SUBSCRIBABLE), event.id)
    first = registration.register(event, applicant(1))
    second = registration.register(event, applicant(2))
    third = registration.register(event, applicant(3))
    registration.cancel_registration(first.id)  # the second moves up
    handling.cancel_many(event.id, [second.id])  # the third moves up
    lifecycle.cancel_event(event.id)
    assert [(kind, data.get("registration")) for kind, data in _sent(receiver)] == [
        ("registration.created", {"id": first.id, "status": "confirmed"}),
        ("registration.created", {"id": second.id, "status": "waitlisted"}),
        ("registration.created", {"id": third.id, "status": "waitlisted"}),
        ("registration.cancelled", {"id": first.id, "status": "cancelled"}),
        ("registration.promoted", {"id": second.id, "status": "confirmed"}),
        ("registration.cancelled", {"id": second.id, "status": "cancelled"}),
        ("registration.promoted", {"id": third.id, "status": "confirmed"}),
        ("event.cancelled", None),
    ]
    assert _sent(receiver)[-1][1]["event"]["status"] == "cancelled"


def test_an_edit_a_promotion_by_hand_and_a_speaker_s_answer_are_told_too(app, receivers):
    receiver = receivers(204)
    event = make_event(capacity=1)
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["event.updated", "registration.promoted",
                                                       "speaker.invitation_answered"], event.id)
    registration.register(event, applicant(1))
    waiting = registration.register(event, applicant(2))
    event.capacity = 5
    db.session.commit()
    handling.promote_by_hand(event.id, waiting.id)
    details = lifecycle.EventDetails(**{name: getattr(event, name) for name in (
        "kind", "mode", "title", "slug", "summary", "description", "starts_at", "ends_at", "timezone",
        "venue",
        "meeting_url", "capacity", "registration_opens_at", "registration_closes_at", "language",
        "requires_approval", "reminder_offsets")} | {"title": "A New Title"})
    management.update_event(event.id, details)
    speaker = Speaker(name="Jinsong Leng", email="leng@example.org", country="CN",
                      institution=Institution(name="Harbin Institute of Technology", country="CN"))
    db.session.add(speaker)
    db.session.commit()
    engagement = invitations.invite_speaker(speaker.id, event.id, "keynote", invited_by_email=organiser.email)
    invitations.answer_invitation(engagement.id, accept=True)
    assert [kind for kind, _data in _sent(receiver)] == [
        "registration.promoted", "event.updated", "speaker.invitation_answered"]
    assert _sent(receiver)[2][1]["engagement"] == {"id": engagement.id, "speaker_id": speaker.id,
                                                   "invitation_status": "accepted"}


def test_an_email_the_outbox_gives_up_on_is_told_as_email_failed(app, receivers):
    receiver = receivers(204)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["email.failed"], event.id)
    # A kind nobody registered cannot be composed: the outbox fails it for good, at once.
    email_id = outbox.enqueue("no_such_kind", "someone@example.org", "test:failing", event_id=event.id)
    db.session.commit()
    [(kind, data)] = _sent(receiver)
    assert kind == "email.failed" and data["email"] == {"id": email_id, "kind": "no_such_kind",
                                                        "registration_id": None}
    assert "someone@example.org" not in receiver.received[0].body.decode()


def test_each_endpoint_gets_only_the_types_and_events_it_may_have(app, receivers):
    event, other_event = make_event(), make_event()
    organiser = make_organiser("organiser@example.org", event)
    stranger = make_organiser("stranger@example.org", other_event)
    head = make_organiser("head@example.org", admin=True)
    created_only, cancelled_only, strangers_all, heads_all, later_manager = (receivers(204) for _ in range(5))
    services.create_endpoint(organiser, created_only.url, ["registration.created"], event.id)
    services.create_endpoint(organiser, cancelled_only.url, ["registration.cancelled"], None)
    services.create_endpoint(stranger, strangers_all.url, ["registration.created"], None)
    services.create_endpoint(head, heads_all.url, ["registration.created"], None)
    newcomer = make_organiser("newcomer@example.org")
    services.create_endpoint(newcomer, later_manager.url, ["registration.created"], None)

    person = registration.register(event, applicant(1))
    registration.cancel_registration(person.id)
    assert [kind for kind, _ in _sent(created_only)] == ["registration.created"]
    assert [kind for kind, _ in _sent(cancelled_only)] == ["registration.cancelled"]
    assert strangers_all.received == []  # all of *their* events: not this one
    assert [kind for kind, _ in _sent(heads_all)] == ["registration.created"]  # an admin manages every event
    assert later_manager.received == []
    add_manager(event.id, newcomer)
    db.session.commit()
    registration.register(event, applicant(2))
    assert len(later_manager.received) == 1


def test_a_change_no_endpoint_subscribes_to_writes_no_message(app, receivers):
    receiver = receivers(204)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    person = registration.register(event, applicant(1))
    services.create_endpoint(organiser, receiver.url, ["event.cancelled"], event.id)
    registration.cancel_registration(person.id)
    assert _messages() == []
    lifecycle.cancel_event(event.id)
    assert [message.type for message in _messages()] == ["event.cancelled"]


def test_an_answered_invitation_to_register_is_told_with_its_status(app, receivers):
    receiver = receivers(204)
    event = make_event()
    organiser = make_organiser("organiser@example.org", event)
    services.create_endpoint(organiser, receiver.url, ["invitation.answered"], event.id)
    batch = invitations_to_register.invite(event.id, [Invitee("Li Wei", "liwei@example.cn", "HIT")],
                                           invitations_to_register.BatchOptions())
    invitation = db.session.scalars(sa.select(Invitation).where(Invitation.batch_id == batch.id)).one()
    invitations_to_register.decline(invitation.id)
    [(kind, data)] = _sent(receiver)
    assert kind == "invitation.answered"
    assert data["invitation"] == {"id": invitation.id, "status": "declined", "registration_id": None}


@both_databases
def test_an_invitee_registering_is_a_new_registration_and_an_answered_invitation(app, receivers):
    receiver = receivers(204)
    event = make_event(capacity=1)
    organiser = make_organiser("organiser@example.org", event)
    types = ["invitation.answered", "registration.created"]
    services.create_endpoint(organiser, receiver.url, types, event.id)
    batch = invitations_to_register.invite(event.id, [Invitee("Li Wei", "liwei@example.cn", "HIT")],
                                           invitations_to_register.BatchOptions(holds_seats=True))
    invitation = db.session.scalars(sa.select(Invitation).where(Invitation.batch_id == batch.id)).one()
    made = invitations_to_register.register_invitee(invitation.id, applicant(7, email="ignored@example.org"))
    sent = _sent(receiver)
    assert [kind for kind, _data in sent] == ["registration.created", "invitation.answered"]
    assert sent[0][1]["registration"] == {"id": made.id, "status": "confirmed"}
    assert sent[1][1]["invitation"] == {"id": invitation.id, "status": "registered",
                                        "registration_id": made.id}
