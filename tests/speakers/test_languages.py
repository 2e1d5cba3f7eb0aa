"""Each speaker and organiser reads their emails in their own language, whoever caused them."""

import io
import re

import pytest
import sqlalchemy as sa

from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.speakers import invitations
from eventsys.speakers.emails import INVITATION_ANSWERED, SPEAKER_INVITATION
from eventsys.speakers.models import Speaker
from tests.conftest import both_databases
from tests.factories import csrf_token, make_event, make_organiser, sign_in
from tests.formpage import read_form

ORGANISER = "office@astro.example.edu"
ACADEMICIAN = "fortov@ras.example.ru"


def _speaker(email: str = ACADEMICIAN, **values) -> Speaker:
    values = {"name": "Vladimir Fortov", "title": "Academician", "country": "RU", "locale": "ru", **values}
    speaker = Speaker(email=email, **values)
    db.session.add(speaker)
    db.session.commit()
    return speaker


def _queued(kind: str) -> OutboundEmail:
    return db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.kind == kind)).one()


@both_databases
def test_an_invitation_from_an_english_page_is_written_in_the_speakers_russian(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Symposium on Intelligent Microsystems")
    make_organiser(ORGANISER, event)
    speaker = _speaker()
    english = {"Accept-Language": "en"}
    client.get("/login", headers=english)
    sign_in(client, ORGANISER)
    path = f"/manage/events/{event.id}/speakers"
    page = client.get(path, headers=english)
    assert "Invite" in page.text  # the organiser's page is English
    sent = client.post(f"{path}/invite", headers=english, data={
        "csrf_token": read_form(page.text).fields["csrf_token"], "speaker_id": str(speaker.id),
        "role": "keynote", "programme_item_id": "", "message": ""})
    assert sent.status_code == 303

    assert _queued(SPEAKER_INVITATION).locale == "ru"
    [invitation] = smtp_sink.to(ACADEMICIAN)
    assert invitation["Subject"].strip() == (
        "Приглашение выступить на мероприятии «Symposium on Intelligent Microsystems»")
    text = invitation.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Здравствуйте, Academician Vladimir Fortov!")
    # The role is new to the catalogue: Russian once the lead has it translated.
    assert "основного докладчика" in text or "пленарн" in text


def test_the_answer_reaches_the_organiser_in_their_language_and_the_speaker_in_theirs(app, smtp_sink):
    app.config.update(smtp_sink.config())
    event = make_event(title="Smart Materials and Nanotechnology")
    organiser = make_organiser(ORGANISER, event)
    organiser.locale = "zh"
    db.session.commit()
    speaker = _speaker(locale="en", country="GB", email="visser@example.ac.uk", name="Anna Visser",
                       title="Prof.")
    engagement = invitations.invite_speaker(speaker.id, event.id, "panel", invited_by_email=ORGANISER)
    assert _queued(SPEAKER_INVITATION).locale == "en"

    invitations.answer_invitation(engagement.id, accept=True)

    assert _queued(INVITATION_ANSWERED).locale == "zh"
    [notice] = smtp_sink.to(ORGANISER)
    assert notice["Subject"].strip() == "Prof. Anna Visser 已接受邀请：Smart Materials and Nanotechnology"


def test_an_answer_to_someone_without_an_account_is_in_english(app):
    event = make_event()
    engagement = invitations.invite_speaker(_speaker().id, event.id, "panel",
                                            invited_by_email="colleague@partner.example.org")
    invitations.answer_invitation(engagement.id, accept=False)
    assert _queued(INVITATION_ANSWERED).locale == "en"


@pytest.fixture
def office(client):
    """A signed-in organiser, reading English pages."""
    make_organiser(ORGANISER)
    sign_in(client, ORGANISER)
    return client


def _speaker_fields(**overrides) -> dict:
    fields = dict(name="Vladimir Fortov", title="Academician", email=ACADEMICIAN, institution_id="",
                  country="RU", biography="", honours="", add_honour="", expertise="", locale="")
    fields.update(overrides)
    return fields


def _chosen_language(html: str) -> str:
    """The value of the language select's selected option, as the browser would send it."""
    select = re.search(r'<select[^>]*name="locale".*?</select>', html, re.DOTALL).group(0)
    return re.search(r'<option selected value="([^"]*)"', select).group(1)


def test_a_new_speaker_gets_the_language_of_their_country_unless_the_organiser_chooses(app, office):
    path = "/manage/speakers/new"
    page = office.get(path).text
    assert "Language of emails" in page and _chosen_language(page) == ""
    office.post(path, data={"csrf_token": read_form(page).fields["csrf_token"], **_speaker_fields()})
    office.post(path, data={"csrf_token": csrf_token(office, path),
                            **_speaker_fields(name="Anna Visser", email="visser@example.nl", country="NL")})
    office.post(path, data={"csrf_token": csrf_token(office, path),
                            **_speaker_fields(name="Gao Huijun", email="gao@hit.example.edu", country="CN",
                                              locale="en")})
    languages = dict(db.session.execute(sa.select(Speaker.name, Speaker.locale)).all())
    assert languages == {"Vladimir Fortov": "ru", "Anna Visser": "en", "Gao Huijun": "en"}

    fortov = db.session.scalars(sa.select(Speaker).where(Speaker.name == "Vladimir Fortov")).one()
    assert "Emails in: Русский" in office.get(f"/manage/speakers/{fortov.id}").text
    edit = f"/manage/speakers/{fortov.id}/edit"
    assert _chosen_language(office.get(edit).text) == "ru"
    office.post(edit, data={"csrf_token": csrf_token(office, edit), **_speaker_fields(locale="zh")})
    db.session.expire_all()
    assert fortov.locale == "zh"


def test_a_language_not_offered_is_refused_next_to_the_field(app, office):
    path = "/manage/speakers/new"
    refused = office.post(path, data={"csrf_token": csrf_token(office, path), **_speaker_fields(locale="fr")})
    assert refused.status_code == 422
    assert "Not a valid choice" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 0


def _upload(client, content: str):
    fields = {"csrf_token": csrf_token(client, "/manage/speakers/import"),
              "file": (io.BytesIO(content.encode()), "speakers.csv")}
    return client.post("/manage/speakers/import", data=fields, content_type="multipart/form-data")


@both_databases
def test_the_import_reads_a_language_column(app, office):
    _speaker(email="known@ras.example.ru", name="Known Speaker")
    page = _upload(office, "name,email,country,language\n"
                           "Jinsong Leng,leng@hit.example.edu,CN,ru\n"
                           "Anna Visser,visser@example.nl,NL,Русский\n"
                           "Gao Huijun,gao@hit.example.edu,CN,\n"
                           "Known Speaker,known@ras.example.ru,RU,\n")
    assert page.status_code == 200, page.text
    languages = dict(db.session.execute(sa.select(Speaker.name, Speaker.locale)).all())
    # An empty cell: a new speaker gets their country's, one already stored keeps theirs.
    assert languages == {"Jinsong Leng": "ru", "Anna Visser": "ru", "Gao Huijun": "zh", "Known Speaker": "ru"}


def test_the_import_refuses_a_language_it_does_not_write_with_the_row_number(app, office):
    page = _upload(office, "name,email,country,language\n"
                           "Jinsong Leng,leng@hit.example.edu,CN,zh\n"
                           "Anna Visser,visser@example.nl,NL,Dutch\n")
    assert page.status_code == 422
    assert "language &#39;Dutch&#39; is not one of en, zh, ru" in page.text
    row = [line for line in page.text.split("<tr") if "Dutch" in line][0]
    assert ">3<" in row
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Speaker)) == 0
