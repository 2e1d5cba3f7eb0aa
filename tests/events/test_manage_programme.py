"""Organisers build an event's programme, its registration questions and its team of managers."""

from datetime import timedelta

import sqlalchemy as sa

from eventsys.accounts.models import EventManager
from eventsys.database import db, utcnow
from eventsys.events.models import Event, ProgrammeItem
from eventsys.registration import services
from eventsys.registration.models import Question, QuestionKind
from eventsys.speakers.models import Engagement, InvitationStatus, Speaker, SpeakerRole
from tests.factories import add_question, applicant, csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form


def _signed_in(client, *events, email="li.wei@example.org"):
    """Sign in as an organiser managing events; returns the CSRF token for posting."""
    user = make_organiser(email, *events)
    sign_in(client, email)
    return user, csrf_token(client, "/manage/")


def _local(event: Event, hours: float) -> str:
    """The clock time in the event's zone so many hours after it starts, as a date-time input has it."""
    return (event.starts_at + timedelta(hours=hours)).astimezone(event.zone).strftime("%Y-%m-%dT%H:%M")


def _errors(answer) -> dict[str, list[str]]:
    return read_form(answer.get_data(as_text=True)).errors_by_field


def _flashes(client, answer) -> str:
    return client.get(answer.location).get_data(as_text=True)


def _item(event: Event, title: str = "Keynote", hours: tuple[float, float] = (1, 2)) -> ProgrammeItem:
    start, end = (event.starts_at + timedelta(hours=h) for h in hours)
    item = ProgrammeItem(event_id=event.id, title=title, starts_at=start, ends_at=end)
    db.session.add(item)
    db.session.commit()
    return item


def test_programme_items_must_lie_within_the_event_and_show_in_its_timezone(client):
    # Two days from 30 days ahead, in Asia/Shanghai; on the minute, as the form gives times.
    event = make_event(starts_at=utcnow().replace(second=0, microsecond=0) + timedelta(days=30))
    _user, token = _signed_in(client, event)
    path = f"/manage/events/{event.id}/programme/new"
    assert client.get(path).status_code == 200

    answer = client.post(path, data={"csrf_token": token, "title": "", "starts_at": _local(event, -1),
                                     "ends_at": _local(event, -2)})
    assert answer.status_code == 422
    assert _errors(answer) == {"title": ["Give the item a title."]}
    answer = client.post(path, data={"csrf_token": token, "title": "Opening", "starts_at": _local(event, -1),
                                     "ends_at": _local(event, -2)})
    assert _errors(answer) == {"starts_at": ["The item must start while the event runs."],
                               "ends_at": ["The item cannot end before it starts."]}
    answer = client.post(path, data={"csrf_token": token, "title": "Opening", "starts_at": _local(event, 47),
                                     "ends_at": _local(event, 49)})
    assert _errors(answer) == {"ends_at": ["The item must end by the end of the event."]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeItem)) == 0

    answer = client.post(path, data={"csrf_token": token, "title": "Opening", "location": "Hall A",
                                     "starts_at": _local(event, 1), "ends_at": _local(event, 1.5)})
    item = db.session.scalars(sa.select(ProgrammeItem)).one()
    assert answer.location == f"/manage/events/{event.id}/programme/{item.id}/edit"
    assert item.starts_at == event.starts_at + timedelta(hours=1)
    page = client.get(f"/manage/events/{event.id}/programme").get_data(as_text=True)
    start, end = _local(event, 1)[-5:], _local(event, 1.5)[-5:]
    assert f"{start}–{end}" in page and "Opening" in page and "Times in Asia/Shanghai" in page

    answer = client.post(f"/manage/events/{event.id}/programme/{item.id}/edit", data={
        "csrf_token": token, "title": "Welcome", "starts_at": _local(event, 1), "ends_at": _local(event, 2)})
    assert answer.status_code == 303
    db.session.refresh(item)
    assert (item.title, item.ends_at) == ("Welcome", event.starts_at + timedelta(hours=2))

    answer = client.post(f"/manage/events/{event.id}/programme/{item.id}/delete", data={"csrf_token": token})
    assert "“Welcome” is removed from the programme." in _flashes(client, answer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeItem)) == 0


def test_an_item_of_another_event_is_not_found_through_this_one(client):
    mine, other = make_event(), make_event()
    foreign = _item(other)
    _user, token = _signed_in(client, mine)
    base = f"/manage/events/{mine.id}/programme/{foreign.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/delete", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/speakers", data={"csrf_token": token, "speaker_id": "1",
                                                  "role": "keynote"}).status_code == 404
    assert db.session.get(ProgrammeItem, foreign.id) is not None


def test_speakers_are_put_on_an_item_directly_and_taken_off_again(client):
    event = make_event()
    item = _item(event)
    speaker = Speaker(name="Pavel Orlov", title="Academician", country="RU")
    invited = Speaker(name="Mei Lin", title="Prof.", country="CN")
    db.session.add_all([speaker, invited])
    db.session.commit()
    db.session.add(Engagement(speaker_id=invited.id, event_id=event.id, programme_item_id=item.id,
                              role=SpeakerRole.invited_talk, invitation_status=InvitationStatus.invited))
    db.session.commit()
    _user, token = _signed_in(client, event)
    base = f"/manage/events/{event.id}/programme/{item.id}"

    answer = client.post(f"{base}/speakers", data={"csrf_token": token, "speaker_id": "0", "role": "keynote"})
    assert answer.status_code == 422
    assert _errors(answer) == {"speaker_id": ["Choose a speaker from the list."]}
    answer = client.post(f"{base}/speakers", data={"csrf_token": token, "speaker_id": str(speaker.id),
                                                   "role": "keynote"})
    assert answer.status_code == 303
    added = db.session.scalars(sa.select(Engagement).where(Engagement.speaker_id == speaker.id)).one()
    assert (added.programme_item_id, added.role) == (item.id, SpeakerRole.keynote)
    assert added.invitation_status is None
    answer = client.post(f"{base}/speakers", data={"csrf_token": token, "speaker_id": str(speaker.id),
                                                   "role": "panel"})
    assert _errors(answer) == {"speaker_id": ["Academician Pavel Orlov is already on this item."]}
    page = client.get(f"/manage/events/{event.id}/programme").get_data(as_text=True)
    assert "Academician Pavel Orlov" in page and "Prof. Mei Lin" in page and "invited" in page

    # An invitation is the speakers page's business: neither removed here nor lost with the item.
    pending = db.session.scalars(sa.select(Engagement.id).where(Engagement.speaker_id == invited.id)).one()
    answer = client.post(f"{base}/speakers/{pending}/remove", data={"csrf_token": token})
    assert "was invited" in _flashes(client, answer)
    answer = client.post(f"{base}/delete", data={"csrf_token": token})
    assert "has an open invitation" in _flashes(client, answer)
    assert db.session.get(ProgrammeItem, item.id) is not None

    answer = client.post(f"{base}/speakers/{added.id}/remove", data={"csrf_token": token})
    assert "is no longer on this item" in _flashes(client, answer)
    assert db.session.get(Engagement, added.id) is None

    # Once the invitation is declined, the item can go, and its speakers with it.
    client.post(f"{base}/speakers", data={"csrf_token": token, "speaker_id": speaker.id, "role": "panel"})
    db.session.get(Engagement, pending).invitation_status = InvitationStatus.declined
    db.session.commit()
    assert client.post(f"{base}/delete", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Engagement)) == 0


def test_questions_are_added_edited_reordered_and_deleted(client):
    event = make_event()
    _user, token = _signed_in(client, event)
    base = f"/manage/events/{event.id}/questions"
    assert client.get(base).status_code == 200

    answer = client.post(f"{base}/new", data={"csrf_token": token, "label": "Which session?",
                                              "kind": "single_choice", "options": " \n "})
    assert answer.status_code == 422 and _errors(answer) == {"options": ["List the choices, one per line."]}
    client.post(f"{base}/new", data={"csrf_token": token, "label": "Which session?", "kind": "single_choice",
                                     "options": "Morning\r\nAfternoon\r\nMorning\r\n", "required": "y"})
    client.post(f"{base}/new", data={"csrf_token": token, "label": "Dietary needs", "kind": "text",
                                     "help_text": "Vegetarian, halal …", "options": "ignored"})
    choice, text = db.session.scalars(sa.select(Question).order_by(Question.position)).all()
    assert (choice.options, choice.required, text.options) == (["Morning", "Afternoon"], True, [])

    answer = client.post(f"{base}/{text.id}/move", data={"csrf_token": token, "direction": "up"})
    assert answer.status_code == 303
    db.session.refresh(event)
    assert [q.label for q in event.questions] == ["Dietary needs", "Which session?"]
    assert client.post(f"{base}/{text.id}/move", data={"csrf_token": token, "direction": "sideways"}
                       ).status_code == 400

    answer = client.post(f"{base}/{choice.id}/edit", data={"csrf_token": token, "label": "Which session?",
                                                           "kind": "multiple_choice", "options": "Morning"})
    assert answer.status_code == 303
    db.session.refresh(choice)
    assert (choice.kind, choice.options) == (QuestionKind.multiple_choice, ["Morning"])
    assert not choice.required

    # Once people have answered, the kind stays; their answers stay too when a question goes.
    registration = services.register(event, applicant(1, answers={text.field_name: "Vegetarian"}))
    answer = client.post(f"{base}/{text.id}/edit", data={"csrf_token": token, "label": "Dietary needs",
                                                         "kind": "number"})
    assert answer.status_code == 422 and "its kind cannot change" in _errors(answer)["kind"][0]
    assert "People have registered already" in client.get(base).get_data(as_text=True)
    client.post(f"{base}/{text.id}/delete", data={"csrf_token": token})
    db.session.refresh(event)
    db.session.refresh(registration)
    assert [q.label for q in event.questions] == ["Which session?"]
    assert registration.answers == {text.field_name: "Vegetarian"}


def test_a_question_of_another_event_is_not_found_through_this_one(client):
    mine, other = make_event(), make_event()
    foreign = add_question(other, QuestionKind.text, "Other event's question")
    _user, token = _signed_in(client, mine)
    assert client.get(f"/manage/events/{mine.id}/questions/{foreign.id}/edit").status_code == 404
    path = f"/manage/events/{mine.id}/questions/{foreign.id}/delete"
    answer = client.post(path, data={"csrf_token": token})
    assert answer.status_code == 404 and db.session.get(Question, foreign.id) is not None


def test_managers_are_added_by_email_and_removed_but_never_the_last(client):
    event = make_event()
    user, token = _signed_in(client, event)
    colleague = make_organiser("Zhang.Min@example.org")
    base = f"/manage/events/{event.id}/managers"
    page = client.get(base).get_data(as_text=True)
    assert "li.wei@example.org" in page and "the only manager" in page

    answer = client.post(base, data={"csrf_token": token, "email": "nobody@example.org"})
    assert answer.status_code == 422
    assert _errors(answer)["email"][0].startswith("No organiser account uses nobody@example.org.")
    answer = client.post(base, data={"csrf_token": token, "email": "ZHANG.min@example.org"})
    assert answer.status_code == 303
    assert db.session.get(EventManager, (event.id, colleague.id)) is not None
    answer = client.post(base, data={"csrf_token": token, "email": "zhang.min@example.org"})
    assert _errors(answer) == {"email": ["zhang.min@example.org manages this event already."]}

    client.post(f"{base}/{colleague.id}/remove", data={"csrf_token": token})
    assert db.session.get(EventManager, (event.id, colleague.id)) is None
    answer = client.post(f"{base}/{user.id}/remove", data={"csrf_token": token})
    assert "at least one manager" in _flashes(client, answer)
    assert db.session.get(EventManager, (event.id, user.id)) is not None
