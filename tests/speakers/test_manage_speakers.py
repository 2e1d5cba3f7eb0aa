"""An organiser keeps speaker and institution records, and invites speakers to the events they manage."""

from datetime import date, timedelta

import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.events.models import ProgrammeItem
from eventsys.mail.models import OutboundEmail
from eventsys.speakers import invitations
from eventsys.speakers.models import Engagement, Institution, InvitationStatus, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form
from tests.speakers.conftest import ORGANISER


def _hit() -> Institution:
    institution = Institution(name="Harbin Institute of Technology", country="CN", partner=True)
    db.session.add(institution)
    db.session.commit()
    return institution


def _speaker(name: str = "Jinsong Leng", email: str | None = "leng@hit.example.edu", **values) -> Speaker:
    speaker = Speaker(name=name, email=email, country=values.pop("country", "CN"), **values)
    db.session.add(speaker)
    db.session.commit()
    return speaker


def _post(client, path: str, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **fields})


def _speaker_fields(**overrides) -> dict:
    fields = dict(name="Jinsong Leng", title="Academician", email="Leng@HIT.example.edu", institution_id="",
                  country="CN", biography="Works on shape-memory polymers.",
                  honours="ieee fellow\nWORLD FELLOW of ICCM\n\nIEEE Fellow", add_honour="Nobel Laureate",
                  expertise="shape-memory polymers\nsmart materials")
    fields.update(overrides)
    return fields


def test_pages_need_a_signed_in_organiser(app, client):
    assert client.get("/manage/speakers").status_code == 302
    assert client.get("/manage/institutions").status_code == 302


def test_adding_a_speaker_with_honours_from_the_suggestions(app, office):
    hit = _hit()
    form_page = office.get("/manage/speakers/new")
    assert '<datalist id="known-honours">' in form_page.text and 'list="known-honours"' in form_page.text
    response = _post(office, "/manage/speakers/new", **_speaker_fields(institution_id=str(hit.id)))
    assert response.status_code == 303
    speaker = db.session.scalars(sa.select(Speaker)).one()
    assert response.headers["Location"].endswith(f"/manage/speakers/{speaker.id}")
    assert speaker.email == "leng@hit.example.edu" and speaker.institution_id == hit.id
    # Known honours take their usual spelling; repeats (in any case) are kept once.
    assert sorted(speaker.honours) == ["IEEE Fellow", "Nobel Laureate", "WORLD FELLOW of ICCM"]
    assert speaker.expertise == ["shape-memory polymers", "smart materials"]
    page = office.get(response.headers["Location"])
    assert "Academician Jinsong Leng" in page.text and '<span class="tag">Nobel Laureate</span>' in page.text


def test_a_speaker_form_with_mistakes_shows_each_next_to_its_field(app, office):
    _speaker(email="taken@example.org", name="Anna Visser")
    response = _post(office, "/manage/speakers/new",
                     **_speaker_fields(name="", email="not-an-address", country=""))
    assert response.status_code == 422
    errors = read_form(response.text).errors_by_field
    assert errors["name"] == ["Enter the speaker's name."]
    assert errors["email"] == ["Enter a valid email address."]
    assert errors["country"] == ["Choose the country the speaker works in."]
    taken = _post(office, "/manage/speakers/new", **_speaker_fields(email="TAKEN@example.org"))
    assert taken.status_code == 422
    assert read_form(taken.text).errors_by_field["email"] == [
        "taken@example.org is already the address of Anna Visser."
    ]
    assert db.session.scalar(sa.select(sa.func.count(Speaker.id))) == 1


@both_databases
def test_editing_a_speaker_keeps_their_address_unless_it_is_someone_elses(app, office):
    speaker = _speaker(honours=[], title="Prof.")
    speaker.honours.append("IEEE Fellow")
    db.session.commit()
    _speaker(name="Anna Visser", email="visser@example.org")
    edit = f"/manage/speakers/{speaker.id}/edit"
    shown = read_form(office.get(edit).text).fields
    assert shown["name"] == "Jinsong Leng" and shown["email"] == "leng@hit.example.edu"
    clash = _post(office, edit, **_speaker_fields(email="visser@example.org"))
    assert clash.status_code == 422
    assert read_form(clash.text).errors_by_field["email"] == [
        "visser@example.org is already the address of Anna Visser."
    ]
    saved = _post(office, edit, **_speaker_fields(honours="Highly Cited Researcher", add_honour="",
                                                    expertise=""))
    assert saved.status_code == 303
    db.session.expire_all()
    speaker = db.session.get(Speaker, speaker.id)
    assert speaker.title == "Academician" and speaker.honours == ["Highly Cited Researcher"]
    assert speaker.expertise == []


def test_names_with_markup_or_formulas_are_shown_as_text(app, office):
    _speaker(name='<script>alert("x")</script>', email="a@example.org")
    _speaker(name='=HYPERLINK("http://evil.example")', email="b@example.org")
    page = office.get("/manage/speakers").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "=HYPERLINK(&#34;http://evil.example&#34;)" in page


def test_the_speaker_page_lists_events_across_years_newest_first(app, office):
    speaker = _speaker()
    now = utcnow()
    old = make_event(title="Astronautics Forum 2023", starts_at=now - timedelta(days=730))
    recent = make_event(title="Astronautics Forum 2024", starts_at=now - timedelta(days=365))
    coming = make_event(title="Astronautics Forum 2026", starts_at=now + timedelta(days=60))
    talk = ProgrammeItem(event=recent, title="Morphing wings", starts_at=recent.starts_at,
                         ends_at=recent.starts_at + timedelta(hours=1))
    db.session.add(talk)
    db.session.add_all([
        Engagement(speaker_id=speaker.id, event_id=old.id, role=SpeakerRole.panel),
        Engagement(speaker_id=speaker.id, event=recent, programme_item=talk, role=SpeakerRole.invited_talk,
                   invitation_status=InvitationStatus.accepted),
    ])
    db.session.commit()
    invitations.invite_speaker(speaker.id, coming.id, "keynote", invited_by_email=ORGANISER)
    page = office.get(f"/manage/speakers/{speaker.id}").text
    history = page.split('id="history"', 1)[1]
    assert history.index("Forum 2026") < history.index("Forum 2024") < history.index("Forum 2023")
    assert "Morphing wings" in history and "invited speaker" in history and "Accepted" in history
    assert "keynote speaker" in history and ">Invited<" in history
    assert "panellist" in history and "added directly" in history
    # This organiser manages none of the three: no link to pages that would refuse them.
    assert 'href="/manage/events/' not in history
    make_organiser("manager@astro.example.edu", recent)
    office.post("/logout", data={"csrf_token": csrf_token(office, "/manage/")})
    sign_in(office, "manager@astro.example.edu")
    managed = office.get(f"/manage/speakers/{speaker.id}").text.split('id="history"', 1)[1]
    assert managed.count('href="/manage/events/') == 1
    assert f'href="/manage/events/{recent.id}/speakers"' in managed


def test_institutions_are_added_and_changed_with_checks(app, office):
    response = _post(office, "/manage/institutions/new", name="Delft University of Technology", country="NL",
                     city="Delft", website="https://www.tudelft.nl", partner_since="")
    assert response.status_code == 303
    no_country = _post(office, "/manage/institutions/new", name="Samara University", country="")
    assert no_country.status_code == 422
    assert read_form(no_country.text).errors_by_field["country"] == ["Choose the institution's country."]
    taken = _post(office, "/manage/institutions/new", name="delft university  of technology", country="NL")
    assert taken.status_code == 422
    assert read_form(taken.text).errors_by_field["name"] == [
        "There is already an institution named Delft University of Technology."
    ]
    delft = db.session.scalars(sa.select(Institution)).one()
    edit = f"/manage/institutions/{delft.id}/edit"
    bad_site = _post(office, edit, name="TU Delft", country="NL", website="ftp://tudelft.nl")
    assert read_form(bad_site.text).errors_by_field["website"] == [
        "Enter a web address starting with http:// or https://."
    ]
    no_partner = _post(office, edit, name="TU Delft", country="NL", partner_since="2020-01-01")
    [message] = read_form(no_partner.text).errors_by_field["partner_since"]
    assert message.startswith("Only a partner has a partnership date")
    saved = _post(office, edit, name="TU Delft", country="NL", partner="y", partner_since="2020-01-01")
    assert saved.status_code == 303
    db.session.expire_all()
    assert (delft.name, delft.partner, delft.partner_since) == ("TU Delft", True, date(2020, 1, 1))
    assert "partner since 2020-01-01" in office.get("/manage/institutions").text


def _manager(client, event):
    make_organiser("manager@astro.example.edu", event)
    sign_in(client, "manager@astro.example.edu")
    return client


def _outbox() -> list[tuple[str, str]]:
    return list(db.session.execute(
        sa.select(OutboundEmail.kind, OutboundEmail.recipient).order_by(OutboundEmail.id)))


@both_databases
def test_a_manager_invites_a_speaker_from_the_event_page_once(app, client):
    event = make_event(title="Symposium on Microsystems")
    talk = ProgrammeItem(event=event, title="Opening talk", starts_at=event.starts_at,
                         ends_at=event.starts_at + timedelta(hours=1))
    db.session.add(talk)
    db.session.commit()
    speaker = _speaker()
    _speaker(name="No Address", email=None)
    manager = _manager(client, event)
    path = f"/manage/events/{event.id}/speakers"
    page = manager.get(path).text
    assert "Jinsong Leng &lt;leng@hit.example.edu&gt;" in page and "No Address" not in page
    fields = dict(speaker_id=str(speaker.id), role="keynote", programme_item_id=str(talk.id),
                  message="Please open the symposium.")
    sent = manager.post(f"{path}/invite", data={"csrf_token": csrf_token(manager, path), **fields})
    assert sent.status_code == 303
    engagement = db.session.scalars(sa.select(Engagement)).one()
    assert (engagement.invitation_status, engagement.programme_item_id) == (InvitationStatus.invited, talk.id)
    assert engagement.invited_by_email == "manager@astro.example.edu"
    assert _outbox() == [("speaker_invitation", "leng@hit.example.edu")]
    listed = manager.get(path).text.split('id="engagements"', 1)[1]
    assert "Opening talk" in listed and ">Invited<" in listed and "keynote speaker" in listed
    again = manager.post(f"{path}/invite", data={"csrf_token": csrf_token(manager, path), **fields},
                         follow_redirects=True)
    assert "was already invited (status: invited); nothing was sent." in again.text
    assert len(_outbox()) == 1


def test_an_invitation_the_rules_refuse_is_explained_next_to_the_speaker(app, client):
    event = make_event(starts_at=utcnow() + timedelta(days=30))
    speaker = _speaker()
    manager = _manager(client, event)
    path = f"/manage/events/{event.id}/speakers"
    token = csrf_token(manager, path)
    event.starts_at = utcnow() - timedelta(hours=1)
    event.ends_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    response = manager.post(f"{path}/invite", data={"csrf_token": token, "speaker_id": str(speaker.id),
                                                    "role": "panel", "programme_item_id": ""})
    assert response.status_code == 422
    assert "has already started" in read_form(response.text).errors_by_field["speaker_id"][0]
    assert db.session.scalar(sa.select(sa.func.count(Engagement.id))) == 0


def test_only_the_events_managers_see_its_speakers(app, client):
    event = make_event()
    make_organiser(ORGANISER)
    sign_in(client, ORGANISER)
    assert client.get(f"/manage/events/{event.id}/speakers").status_code == 403


@both_databases
def test_a_declined_invitation_is_renewed_with_a_new_email_and_a_new_answer(app, client):
    event = make_event(title="Lecture on Orbital Debris")
    speaker = _speaker()
    engagement = invitations.invite_speaker(speaker.id, event.id, "online_lecture",
                                            invited_by_email="manager@astro.example.edu")
    invitations.answer_invitation(engagement.id, accept=False, note="Not this year.")
    manager = _manager(client, event)
    path = f"/manage/events/{event.id}/speakers"
    page = manager.get(path).text
    assert ">Declined<" in page and "Not this year." in page and "Invite again" in page
    renewed = manager.post(f"{path}/{engagement.id}/renew", data={"csrf_token": csrf_token(manager, path)},
                           follow_redirects=True)
    assert "Invited Jinsong Leng again; a new invitation email is on its way." in renewed.text
    db.session.expire_all()
    assert db.session.get(Engagement, engagement.id).invitation_status is InvitationStatus.invited
    twice = manager.post(f"{path}/{engagement.id}/renew", data={"csrf_token": csrf_token(manager, path)},
                         follow_redirects=True)
    assert "only a declined or expired one can be renewed" in twice.text
    invitations.answer_invitation(engagement.id, accept=True)
    assert _outbox() == [
        ("speaker_invitation", "leng@hit.example.edu"),
        ("invitation_answered", "manager@astro.example.edu"),
        ("speaker_invitation", "leng@hit.example.edu"),
        ("invitation_answered", "manager@astro.example.edu"),
    ]


def test_an_engagement_of_another_event_cannot_be_renewed_through_this_one(app, client):
    mine, theirs = make_event(), make_event()
    speaker = _speaker()
    engagement = invitations.invite_speaker(speaker.id, theirs.id, "panel", invited_by_email=ORGANISER)
    invitations.answer_invitation(engagement.id, accept=False)
    manager = _manager(client, mine)
    path = f"/manage/events/{mine.id}/speakers"
    response = manager.post(f"{path}/{engagement.id}/renew", data={"csrf_token": csrf_token(manager, path)})
    assert response.status_code == 404
