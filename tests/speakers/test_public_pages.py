"""A speaker's public page: who has one, what it shows, and how event pages lead to it."""

from datetime import UTC, datetime, timedelta

from eventsys.database import db
from eventsys.events.models import ProgrammeItem
from eventsys.speakers.models import Engagement, Institution, InvitationStatus, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import make_event

#: 10:00 in Harbin on Saturday 27 March 2027
STARTS = datetime(2027, 3, 27, 2, 0, tzinfo=UTC)


def _speaker(**values) -> Speaker:
    name = "Bauman Moscow State Technical University"
    institution = (db.session.query(Institution).filter_by(name=name).first()
                   or Institution(name=name, country="RU"))
    speaker = Speaker(name=values.pop("name", "Pavel Orlov"), title="Academician", country="RU",
                      institution=institution, honours=["Nobel Laureate"], expertise=["orbital debris"],
                      **values)
    db.session.add(speaker)
    db.session.commit()
    return speaker


def _engage(speaker: Speaker, event, status: InvitationStatus | None = None, item=None) -> Engagement:
    engagement = Engagement(speaker_id=speaker.id, event_id=event.id, role=SpeakerRole.keynote,
                            invitation_status=status, programme_item_id=item.id if item else None)
    db.session.add(engagement)
    db.session.commit()
    return engagement


@both_databases
def test_a_speaker_on_a_published_programme_has_a_page_with_their_talks(client):
    speaker = _speaker(biography="Born in Samara.\nStudied in Moscow.\n\nNow leads the debris group.")
    event = make_event(title="Space Debris Forum", starts_at=STARTS, ends_at=STARTS + timedelta(days=1))
    talk = ProgrammeItem(event_id=event.id, title="Cleaning low orbit", starts_at=STARTS + timedelta(hours=2),
                         ends_at=STARTS + timedelta(hours=3))
    db.session.add(talk)
    db.session.commit()
    _engage(speaker, event, InvitationStatus.accepted, item=talk)

    response = client.get(f"/speakers/{speaker.id}-pavel-orlov")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Academician Pavel Orlov</h1>" in html
    assert "Bauman Moscow State Technical University, Russia" in html
    assert "Nobel Laureate" in html and "orbital debris" in html
    assert "<p style=\"white-space: pre-line\">Born in Samara.\nStudied in Moscow.</p>" in html
    assert "<p style=\"white-space: pre-line\">Now leads the debris group.</p>" in html
    assert "Cleaning low orbit" in html and "Space Debris Forum" in html
    assert "Sat, 27 Mar 2027, 12:00 Beijing time (GMT+08:00)" in html
    assert '<meta property="og:type" content="profile">' in html
    assert f'<link rel="canonical" href="http://events.test/speakers/{speaker.id}-pavel-orlov">' in html


def test_the_event_page_links_each_speaker_to_their_page(client):
    speaker = _speaker(name="Павел Орлов")
    event = make_event()
    _engage(speaker, event)
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f'href="/speakers/{speaker.id}-pavel-orlov"' in html
    assert client.get(f"/speakers/{speaker.id}-pavel-orlov").status_code == 200


def test_any_other_spelling_of_the_address_redirects_to_the_canonical_one(client):
    speaker = _speaker()
    _engage(speaker, make_event())
    for path in (f"/speakers/{speaker.id}", f"/speakers/{speaker.id}-old-name"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/speakers/{speaker.id}-pavel-orlov")


@both_databases
def test_speakers_only_invited_declined_or_at_drafts_have_no_page(client):
    draft = make_event(status="draft")
    published = make_event()
    at_draft, invited, declined, nowhere = (_speaker(name=name) for name in
                                            ("At Draft", "Only Invited", "Has Declined", "No Engagement"))
    _engage(at_draft, draft)
    _engage(invited, published, InvitationStatus.invited)
    _engage(declined, published, InvitationStatus.declined)
    for speaker in (at_draft, invited, declined, nowhere):
        assert client.get(f"/speakers/{speaker.id}").status_code == 404
    assert client.get("/speakers/99999999999").status_code == 404


def test_a_biography_with_markup_is_shown_as_text(client):
    speaker = _speaker(biography="<script>alert('x')</script> <b>bold</b>",
                       name="<img src=x onerror=alert(1)>")
    _engage(speaker, make_event())
    response = client.get(f"/speakers/{speaker.id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>bold</b>" not in html and "<img src=x" not in html


def test_talks_at_drafts_are_not_listed(client):
    speaker = _speaker()
    _engage(speaker, make_event(title="Public Forum"))
    _engage(speaker, make_event(title="Secret Draft", status="draft"))
    html = client.get(f"/speakers/{speaker.id}-pavel-orlov").get_data(as_text=True)
    assert "Public Forum" in html and "Secret Draft" not in html
