"""A partner university's system invites a delegation through the API, follows the answers, revokes one."""

import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.invitations.models import Invitation, InvitationStatus
from eventsys.mail.models import OutboundEmail
from eventsys.registration import services
from eventsys.registration.models import Registration, RegistrationStatus
from tests.api.organiser import call
from tests.conftest import both_databases
from tests.factories import applicant, make_event, make_organiser, make_token

DELEGATION = [
    {"name": "Ерлан Жумабеков", "email": "zhumabekov@enu.example.kz", "institution": "ENU",
     "category": "faculty", "language": "ru", "country": "KZ"},
    {"name": "Nguyen Van An", "email": "nguyen.an@vnu.example.vn"},
]


def _count(condition) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(condition))


def _invitations(event) -> str:
    return f"/api/v1/manage/events/{event.id}/invitations"


@both_databases
def test_a_delegation_is_invited_with_held_seats_listed_and_one_invitation_revoked(app, client):
    event = make_event(capacity=3)
    token = make_token(make_organiser("li.wei@example.org", event))

    created = call(client, "POST", _invitations(event), token, {"invitees": DELEGATION, "holds_seats": True})

    assert created.status_code == 201, created.json
    made = created.json["invitations"]
    assert [(i["name"], i["status"], i["holds_seat"], i["locale"]) for i in made] == [
        ("Ерлан Жумабеков", "pending", True, "ru"), ("Nguyen Van An", "pending", True, "en")]
    assert _count(OutboundEmail.kind == "registration_invitation") == 2
    first = services.register(event, applicant(1))
    waiting = services.register(event, applicant(2))
    assert (first.status, waiting.status) == (RegistrationStatus.confirmed, RegistrationStatus.waitlisted)

    page = call(client, "GET", f"{_invitations(event)}?limit=1&status=pending", token).json
    assert [i["name"] for i in page["items"]] == ["Nguyen Van An"] and page["next"]
    rest = client.get(page["next"].removeprefix("http://events.test"), headers={
        "Authorization": f"Bearer {token}"}).json
    assert [i["name"] for i in rest["items"]] == ["Ерлан Жумабеков"] and rest["next"] is None

    revoked = call(client, "POST", f"{_invitations(event)}/{made[1]['id']}/revoke", token)
    assert revoked.status_code == 200
    assert revoked.json["status"] == "revoked" and not revoked.json["holds_seat"]
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.confirmed
    assert db.session.get(Event, event.id).held_count == 1
    again = call(client, "POST", f"{_invitations(event)}/{made[1]['id']}/revoke", token)
    assert again.status_code == 409 and again.json["errors"]["request"]
    one = call(client, "GET", f"{_invitations(event)}/{made[0]['id']}", token)
    assert one.status_code == 200 and one.json["email"] == "zhumabekov@enu.example.kz"


def test_a_wrong_invitee_is_named_by_its_place_and_nothing_is_sent(app, client):
    event = make_event(capacity=10)
    token = make_token(make_organiser("li.wei@example.org", event))
    body = {"invitees": [DELEGATION[0], {"name": "", "email": "not-an-address"}, DELEGATION[0]]}

    refused = call(client, "POST", _invitations(event), token, body)

    assert refused.status_code == 422
    errors = refused.json["errors"]
    assert set(errors) == {"invitees.1", "invitees.2"}
    assert any("name is missing" in e for e in errors["invitees.1"])
    assert any("the same address as row 1" in e for e in errors["invitees.2"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 0


def test_holding_more_seats_than_are_free_is_a_conflict_and_holds_nothing(app, client):
    event = make_event(capacity=1)
    token = make_token(make_organiser("li.wei@example.org", event))
    refused = call(client, "POST", _invitations(event), token, {"invitees": DELEGATION, "holds_seats": True})
    assert refused.status_code == 409
    assert "Only 1 seat is free to hold" in refused.json["errors"]["holds_seats"][0]
    db.session.expire_all()
    assert db.session.get(Event, event.id).held_count == 0


def test_a_repeated_idempotency_key_invites_once(app, client):
    event = make_event(capacity=10)
    token = make_token(make_organiser("li.wei@example.org", event))
    key = {"Idempotency-Key": "delegation-2027-enu"}
    first = call(client, "POST", _invitations(event), token, {"invitees": DELEGATION}, **key)
    second = call(client, "POST", _invitations(event), token, {"invitees": DELEGATION}, **key)
    assert first.status_code == second.status_code == 201 and first.json == second.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 2


def test_other_organisers_and_read_tokens_cannot_invite(app, client):
    event = make_event(capacity=10)
    make_organiser("li.wei@example.org", event)
    stranger = make_token(make_organiser("stranger@example.org", make_event()))
    reader = make_token(make_organiser("reader@example.org", event), scope="read")
    body = {"invitees": DELEGATION}
    assert call(client, "POST", _invitations(event), stranger, body).status_code == 404
    assert call(client, "GET", _invitations(event), stranger).status_code == 404
    assert call(client, "POST", _invitations(event), reader, body).status_code == 403
    assert call(client, "GET", _invitations(event), reader).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert InvitationStatus.pending.value == "pending"
