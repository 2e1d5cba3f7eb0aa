"""An organiser anonymises an event by hand from its page: explained, confirmed, refused before the end."""

from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration.models import Registration
from tests.conftest import both_databases
from tests.factories import csrf_token, make_organiser, sign_in
from tests.retention.story import ended, ended_conference, figures

ORGANISER = "organiser@example.org"


def _names(event_id: int) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Registration.name).where(Registration.event_id == event_id)))


@both_databases
def test_the_button_refuses_before_the_end_then_anonymises_once_confirmed(client):
    story = ended_conference(anonymise_after_days=None)
    event = db.session.get(Event, story.event_id)
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    page = f"/manage/events/{event.id}/anonymise"

    overview = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert f'href="{page}"' in overview and "kept until you anonymise them" in overview
    answer = client.get(page).get_data(as_text=True)
    assert "The event has not ended yet" in answer and "Anonymise the registrations</button>" not in answer
    token = csrf_token(client, f"/manage/events/{event.id}/edit")
    refused = client.post(page, data={"csrf_token": token}, follow_redirects=True)
    assert "can be anonymised only after it is over" in refused.get_data(as_text=True)
    assert "Olena Shevchenko" in _names(event.id)

    ended(event, timedelta(hours=1))
    before = figures(event.id)
    confirm = client.get(page).get_data(as_text=True)
    assert "4 registrations will be anonymised." in confirm
    assert "Kept for the exchange report: each registration’s country, category and status" in confirm
    assert client.post(page, data={}).status_code == 400  # no CSRF token: refused
    assert "Olena Shevchenko" in _names(event.id)

    done = client.post(page, data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
    flashed = unescape(done.get_data(as_text=True))
    assert "4 registrations are anonymised; the event's figures are unchanged." in flashed
    assert _names(event.id) == {"Anonymised"} and figures(event.id) == before
    overview = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert f'href="{page}"' not in overview and "The registrations were anonymised on" in overview


def test_other_organisers_cannot_anonymise_an_event_they_do_not_manage(client):
    story = ended_conference()
    event = db.session.get(Event, story.event_id)
    ended(event, timedelta(days=10))
    make_organiser(ORGANISER, event)
    make_organiser("stranger@example.org")
    sign_in(client, "stranger@example.org")
    token = csrf_token(client, "/manage/")
    page = f"/manage/events/{event.id}/anonymise"
    assert client.get(page).status_code == 403
    assert client.post(page, data={"csrf_token": token}).status_code == 403
    assert client.post("/manage/events/999999/anonymise", data={"csrf_token": token}).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    assert client.post(page, data={"csrf_token": token}).status_code in (302, 401)
    assert "Olena Shevchenko" in _names(event.id)


def test_the_retention_time_is_set_on_the_edit_form_with_its_error_beside_it(client):
    story = ended_conference(anonymise_after_days=None)
    event = db.session.get(Event, story.event_id)
    db.session.execute(sa.update(Event).where(Event.id == event.id)
                       .values(starts_at=event.starts_at + timedelta(days=60),
                               ends_at=event.ends_at + timedelta(days=60)))
    db.session.commit()
    make_organiser(ORGANISER, event)
    sign_in(client, ORGANISER)
    from tests.events.test_manage_events import _errors, _form_of

    edit = f"/manage/events/{event.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Anonymise registrations after (days)" in page
    token = csrf_token(client, edit)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    for typed in ("0", "3651", "soon", "-5"):
        answer = client.post(edit, data=_form_of(event, token, anonymise_after_days=typed))
        assert answer.status_code == 422, typed
        assert _errors(answer)["anonymise_after_days"] == [
            "Give a whole number of days from 1 to 3,650, or leave it blank to keep the registrations until "
            "you anonymise them."], typed
    db.session.expire_all()
    assert db.session.get(Event, event.id).anonymise_after_days is None

    answer = client.post(edit, data=_form_of(event, token, anonymise_after_days="90"))
    assert answer.status_code == 303, _errors(answer)
    db.session.expire_all()
    assert db.session.get(Event, event.id).anonymise_after_days == 90
    overview = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert "The registrations are anonymised 90 days after the event ends." in overview
    assert 'value="90"' in client.get(edit).get_data(as_text=True)

    answer = client.post(edit, data=_form_of(event, token, anonymise_after_days=""))
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).anonymise_after_days is None
