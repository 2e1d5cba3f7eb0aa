"""An organiser writes to the event's registrants: what the preview promises is what gets queued, once."""

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.messages.models import Audience, Mailing
from eventsys.registration import services
from eventsys.registration.models import Registration
from tests.conftest import both_databases
from tests.factories import applicant, make_event
from tests.formpage import read_form
from tests.messages.composing import preview, send, signed_in_organiser


def _queued_recipients() -> list[str]:
    query = sa.select(OutboundEmail.recipient).where(OutboundEmail.kind == "mailing")
    return sorted(db.session.scalars(query))


def _crowd():
    """Three confirmed (RU faculty, CN student, CN faculty), one waiting (RU student), one cancelled (DE)."""
    event = make_event(capacity=3)
    people = [("RU", "faculty"), ("CN", "student"), ("CN", "faculty"), ("RU", "student"), ("DE", "industry")]
    registrations = [services.register(event, applicant(n, country=country, category=category))
                     for n, (country, category) in enumerate(people, start=1)]
    services.cancel_registration(registrations[4].id)
    return event


def _count_shown(page) -> int:
    html = page.get_data(as_text=True)
    marker = 'id="recipient-count">This message will go to <strong>'
    assert marker in html, html
    return int(html.split(marker, 1)[1].split("<", 1)[0])


@both_databases
def test_the_preview_shows_the_message_and_its_count_and_sending_queues_exactly_those(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    body = "Dear all,\n<b>the bus</b> leaves at 8:00."
    page = preview(client, event.id, body=body)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _count_shown(page) == 3
    assert "&lt;b&gt;the bus&lt;/b&gt; leaves at 8:00." in html and "<b>the bus</b>" not in html
    assert "Main Building, Harbin" in html, "the event facts end the message"
    assert 'value="Send to 3 people"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0, "a preview writes nothing"

    answer = send(client, event.id, page, body=body)
    assert answer.status_code == 303
    assert answer.location == f"/manage/events/{event.id}/messages"
    assert _queued_recipients() == ["attendee1@example.org", "attendee2@example.org", "attendee3@example.org"]
    mailing = db.session.scalars(sa.select(Mailing)).one()
    assert (mailing.audience, mailing.recipient_count, mailing.body) == (Audience.registrants, 3, body)
    listing = client.get(answer.location).get_data(as_text=True)
    assert "is on its way to 3 people" in listing


@pytest.mark.parametrize(("fields", "expected"), [
    ({"statuses": ["confirmed", "waitlisted"], "countries": ["CN"]}, [2, 3]),
    ({"statuses": ["confirmed", "waitlisted"], "categories": ["student"]}, [2, 4]),
    ({"statuses": ["waitlisted"]}, [4]),
    ({"statuses": ["cancelled"]}, [5]),
    ({"statuses": ["confirmed", "waitlisted", "pending"], "countries": ["RU"], "categories": ["faculty"]},
     [1]),
], ids=["china", "students", "waiting", "cancelled-only-when-chosen", "all-three-filters"])
def test_the_filters_choose_the_recipients_and_the_preview_counts_them(app, fields, expected):
    event = _crowd()
    client = signed_in_organiser(app, event)
    page = preview(client, event.id, **fields)
    assert _count_shown(page) == len(expected)
    assert send(client, event.id, page, **fields).status_code == 303
    assert _queued_recipients() == [f"attendee{n}@example.org" for n in expected]


def test_nobody_matching_shows_no_send_button(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    page = preview(client, event.id, statuses=["pending"])
    html = page.get_data(as_text=True)
    assert "No one matches these choices" in html
    assert 'name="send"' not in html
    assert read_form(html).fields["preview_token"] == ""


def test_a_missing_subject_or_status_is_shown_next_to_its_field(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    page = preview(client, event.id, subject="  ", statuses=[])
    assert page.status_code == 422
    errors = read_form(page.get_data(as_text=True)).errors_by_field
    assert errors["subject"] == ["Write a subject."]
    assert errors["statuses"] == ["Choose at least one status."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0


@both_databases
def test_the_same_send_form_submitted_twice_queues_each_copy_once(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    page = preview(client, event.id)
    assert send(client, event.id, page).status_code == 303
    again = send(client, event.id, page)
    assert again.status_code == 303
    assert "was sent already; it was not sent again" in client.get(again.location).get_data(as_text=True)
    assert len(_queued_recipients()) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 1


def test_a_new_preview_of_the_same_message_can_be_sent_again_on_purpose(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    send(client, event.id, preview(client, event.id))
    send(client, event.id, preview(client, event.id))
    assert len(_queued_recipients()) == 6, "each preview is a send of its own"


@both_databases
def test_when_the_recipients_changed_since_the_preview_nothing_is_sent_and_the_new_count_is_asked(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    page = preview(client, event.id)
    assert _count_shown(page) == 3
    services.cancel_registration(db.session.scalars(
        sa.select(Registration.id).where(Registration.email == "attendee1@example.org")).one())
    # attendee4 moved up from the waiting list, attendee1 left: still 3, but not the same 3
    db.session.execute(sa.update(Registration).where(Registration.email == "attendee2@example.org")
                       .values(status="cancelled"))
    db.session.commit()

    answer = send(client, event.id, page)
    assert answer.status_code == 409
    assert "The recipients changed since the preview, which showed 3" in answer.get_data(as_text=True)
    assert _count_shown(answer) == 2
    assert _queued_recipients() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mailing)) == 0

    assert send(client, event.id, answer).status_code == 303
    assert _queued_recipients() == ["attendee3@example.org", "attendee4@example.org"]


def test_a_message_changed_after_its_preview_is_previewed_again_not_sent(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    page = preview(client, event.id)
    answer = send(client, event.id, page, body="Something else entirely.")
    assert answer.status_code == 409
    assert "changed after the preview" in answer.get_data(as_text=True)
    assert _queued_recipients() == []
    assert send(client, event.id, answer, body="Something else entirely.").status_code == 303
    assert len(_queued_recipients()) == 3


def test_a_forged_or_missing_preview_token_sends_nothing(app):
    event = _crowd()
    client = signed_in_organiser(app, event)
    page = preview(client, event.id)
    genuine = read_form(page.get_data(as_text=True)).fields["preview_token"]
    for token in ("", genuine[:-2] + "xx"):
        answer = send(client, event.id, page, token=token)
        assert answer.status_code == 409
        assert "Check the preview again" in answer.get_data(as_text=True)
    assert _queued_recipients() == []


def test_an_organiser_of_another_event_cannot_write_to_these_registrants(app):
    event = _crowd()
    other = make_event(title="Another Forum")
    stranger = signed_in_organiser(app, other, email="stranger@example.org")
    assert stranger.get(f"/manage/events/{event.id}/messages/new").status_code == 403
    assert stranger.get(f"/manage/events/{event.id}/messages").status_code == 403
    page = preview(stranger, other.id)
    assert send(stranger, event.id, page).status_code == 403
    assert _queued_recipients() == []
