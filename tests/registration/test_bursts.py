"""An organiser finds a burst of registrations by when they came, and cancels it in one go."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.mail.models import OutboundEmail
from eventsys.registration import handling, services
from eventsys.registration.models import Registration, RegistrationStatus
from tests.conftest import both_databases
from tests.factories import applicant, csrf_token, make_event, make_organiser, sign_in

pytestmark = both_databases

ORGANISER = "organiser@example.org"
#: the event's zone (make_event), in which the organiser reads and types times
ZONE = ZoneInfo("Asia/Shanghai")


def _story(event):
    """A real person, then a burst of four bots that takes the last seats (of 5), then two people who wait."""
    start = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
    early = services.register(event, applicant(1, name="Early Person"), now=start)
    burst = start + timedelta(hours=1)
    bots = [services.register(event, applicant(10 + n, name=f"Bot {n}"), now=burst + timedelta(seconds=n))
            for n in range(4)]
    later = start + timedelta(hours=2)
    waiting = [services.register(event, applicant(20 + n, name=f"Waiting {n}"), now=later) for n in range(2)]
    return start, early, bots, waiting


def _local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def _burst_window(start):
    return {"registered_from": _local(start + timedelta(minutes=59)),
            "registered_until": _local(start + timedelta(minutes=61))}


def test_cancelling_many_at_once_promotes_the_waiting_list_in_order(app):
    event = make_event(capacity=5)
    _, early, bots, waiting = _story(event)
    assert [w.status for w in waiting] == [RegistrationStatus.waitlisted] * 2

    outcome = handling.cancel_many(event.id, [b.id for b in bots[:3]], notify=False)

    assert outcome.cancelled == 3
    assert [p.name for p in outcome.promoted] == ["Waiting 0", "Waiting 1"]
    db.session.expire_all()
    statuses = {r.name: r.status for r in db.session.scalars(sa.select(Registration))}
    assert statuses == {"Early Person": RegistrationStatus.confirmed, "Bot 0": RegistrationStatus.cancelled,
                        "Bot 1": RegistrationStatus.cancelled, "Bot 2": RegistrationStatus.cancelled,
                        "Bot 3": RegistrationStatus.confirmed, "Waiting 0": RegistrationStatus.confirmed,
                        "Waiting 1": RegistrationStatus.confirmed}
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlisted_count) == (4, 0)
    kinds = list(db.session.scalars(sa.select(OutboundEmail.kind).where(
        OutboundEmail.registration_id.in_([b.id for b in bots]))))
    assert "registration_cancelled" not in kinds  # the organiser chose not to write to invented addresses


def test_the_list_filters_by_registered_between_in_the_event_s_zone(client):
    event = make_event(capacity=5)
    start, *_ = _story(event)
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)

    page = client.get(f"/manage/events/{event.id}/registrations", query_string=_burst_window(start))

    rows = r'<tr id="registration-\d+">.*?registrations/\d+">([^<]*)</a>'
    names = re.findall(rows, page.get_data(as_text=True), re.S)
    assert names == ["Bot 0", "Bot 1", "Bot 2", "Bot 3"]


def test_the_whole_filtered_burst_is_cancelled_after_a_confirmation(client):
    event = make_event(capacity=5)
    start, early, bots, waiting = _story(event)
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    list_url = f"/manage/events/{event.id}/registrations"
    token = csrf_token(client, list_url)
    asked = {"csrf_token": token, "scope": "filtered", **_burst_window(start)}

    confirm = client.post(f"{list_url}/cancel", data=asked)

    assert confirm.status_code == 200
    assert "Cancel 4 registrations?" in confirm.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(
        Registration.status == RegistrationStatus.cancelled)) == 0

    done = client.post(f"{list_url}/cancel", data={**asked, "confirmed": "1"})

    assert done.status_code == 303
    db.session.expire_all()
    assert {b.status for b in bots} == {RegistrationStatus.cancelled}
    assert [w.status for w in waiting] == [RegistrationStatus.confirmed] * 2
    assert early.status is RegistrationStatus.confirmed
    assert "Cancelled 4 registrations" in client.get(done.location).get_data(as_text=True)


def test_selected_registrations_are_cancelled_and_other_events_are_left_alone(client):
    event, other = make_event(capacity=5), make_event(capacity=5)
    _, early, bots, waiting = _story(event)
    stranger = services.register(other, applicant(99))
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    list_url = f"/manage/events/{event.id}/registrations"

    done = client.post(f"{list_url}/cancel", data={
        "csrf_token": csrf_token(client, list_url), "scope": "selected", "confirmed": "1",
        "registration_id": [str(bots[0].id), str(stranger.id)]})

    assert done.status_code == 303
    db.session.expire_all()
    assert bots[0].status is RegistrationStatus.cancelled
    assert stranger.status is RegistrationStatus.confirmed
    assert waiting[0].status is RegistrationStatus.confirmed
