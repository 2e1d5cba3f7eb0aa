"""A speaker's own zone: kept on their record, and their invitation shows each time on their clock too."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from eventsys.database import db
from eventsys.speakers import invitations
from eventsys.speakers.models import Speaker
from tests.factories import csrf_token, make_event, make_organiser, sign_in

# Boston's clocks go forward on Sunday 14 March 2027: a Saturday and a Monday 10:00 in Harbin either side.
SATURDAY_10_IN_HARBIN = datetime(2027, 3, 13, 2, tzinfo=UTC)
MONDAY_10_IN_HARBIN = datetime(2027, 3, 15, 2, tzinfo=UTC)
ORGANISER = "office@astro.example.edu"


def _invitation_text(smtp_sink, email: str) -> str:
    return smtp_sink.to(email)[-1].get_body(("plain",)).get_content()


def test_an_invitation_shows_the_event_s_time_and_the_speaker_s_across_boston_s_clock_change(app, smtp_sink):
    app.config.update(smtp_sink.config())
    speaker = Speaker(
        name="Emily Carter", email="carter@gatech.example", country="US", timezone="America/New_York"
    )
    at_home = Speaker(name="Wang Hao", email="wang@hit.example.edu", country="CN")
    db.session.add_all([speaker, at_home])
    db.session.commit()
    make_organiser(ORGANISER)
    before = make_event(
        timezone="Asia/Harbin",
        starts_at=SATURDAY_10_IN_HARBIN,
        ends_at=SATURDAY_10_IN_HARBIN + timedelta(hours=8),
    )
    after = make_event(
        timezone="Asia/Harbin",
        starts_at=MONDAY_10_IN_HARBIN,
        ends_at=MONDAY_10_IN_HARBIN + timedelta(hours=8),
    )

    invitations.invite_speaker(speaker.id, before.id, "keynote", invited_by_email=ORGANISER)
    text = _invitation_text(smtp_sink, "carter@gatech.example")
    # EST (UTC-5) on Friday evening in New York
    assert "Sat, 13 Mar 2027, 10:00 Harbin time (GMT+08:00) / Fri, 12 Mar 2027, 21:00 New York time" in text
    engagement = invitations.invite_speaker(speaker.id, after.id, "keynote", invited_by_email=ORGANISER)
    text = _invitation_text(smtp_sink, "carter@gatech.example")
    # EDT (UTC-4) from Sunday: an hour later on New York's clock for the same Harbin time
    assert "Mon, 15 Mar 2027, 10:00 Harbin time (GMT+08:00) / Sun, 14 Mar 2027, 22:00 New York time" in text

    invitations.invite_speaker(at_home.id, after.id, "panel", invited_by_email=ORGANISER)
    assert "/ " not in _invitation_text(smtp_sink, "wang@hit.example.edu").split("When:")[1].split("\n")[0]
    # The organiser's note of the answer keeps the event's time only.
    invitations.answer_invitation(engagement.id, True)
    assert "New York time" not in _invitation_text(smtp_sink, ORGANISER)


def test_the_record_keeps_a_zone_from_the_list_and_refuses_another_next_to_its_field(app, client):
    make_organiser(ORGANISER)
    sign_in(client, ORGANISER)
    path = "/manage/speakers/new"
    fields = dict(
        name="Emily Carter",
        title="Prof.",
        email="carter@gatech.example",
        institution_id="",
        country="US",
        biography="",
        honours="",
        add_honour="",
        expertise="",
        locale="",
    )
    refused = client.post(
        path, data={"csrf_token": csrf_token(client, path), **fields, "timezone": "America/Atlantis"}
    )
    assert refused.status_code == 422 and "Choose the timezone from the list." in refused.text
    saved = client.post(
        path, data={"csrf_token": csrf_token(client, path), **fields, "timezone": "America/New_York"}
    )
    assert saved.status_code in (302, 303)
    speaker = db.session.scalars(sa.select(Speaker)).one()
    assert speaker.timezone == "America/New_York"
    assert "(America/New_York)" in client.get(f"/manage/speakers/{speaker.id}").text
