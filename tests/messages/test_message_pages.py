"""An organiser opens a sent message, previews one as its recipients will see it, and picks its audience."""

import html as html_lib
import re

import sqlalchemy as sa

from eventsys.database import db
from eventsys.messages.models import Mailing
from eventsys.registration import services
from eventsys.speakers.models import InvitationStatus
from tests.conftest import both_databases
from tests.factories import applicant, make_event
from tests.messages.composing import new_message_url, preview, send, signed_in_organiser
from tests.messages.test_copies import _speaker


def _frame(page: str, frame_id: str) -> tuple[str, str]:
    """The iframe's opening tag, and the document it shows (its srcdoc, unescaped)."""
    tag = re.search(rf'<iframe[^>]*id="{frame_id}"[^>]*>', page).group(0)
    return tag, html_lib.unescape(re.search(r'srcdoc="([^"]*)"', tag).group(1))


def _ticked(page: str) -> list[str]:
    """The values of the checkboxes ticked on the page."""
    return re.findall(r'<input[^>]*checked[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*checked', page)


def _fieldset(page: str, fieldset_id: str) -> str:
    return re.search(rf'<fieldset id="{fieldset_id}"[^>]*>', page).group(0)


@both_databases
def test_a_sent_message_opens_with_its_words_audience_count_time_and_delivery(app):
    event = make_event(title="Deep Space Lectures", timezone="Asia/Shanghai")
    for n in (1, 2):
        services.register(event, applicant(n, category="student"))
    client = signed_in_organiser(app, event)
    fields = {"statuses": ["confirmed"], "categories": ["student"], "subject": "Room change",
              "body": "We meet in <Hall 3> now.\n\nSee you there."}
    send(client, event.id, preview(client, event.id, **fields), **fields)
    mailing = db.session.scalars(sa.select(Mailing)).one()

    listing = client.get(f"/manage/events/{event.id}/messages").get_data(as_text=True)
    url = f"/manage/events/{event.id}/messages/{mailing.id}"
    assert f'href="{url}">Room change</a>' in listing

    page = client.get(url).get_data(as_text=True)
    assert '<h1 id="message-subject">Room change</h1>' in page
    audience = re.search(r'id="message-audience">(.*?)</dd>', page, re.S).group(1)
    assert "Registrants" in audience and "Confirmed" in audience and "Student" in audience
    assert re.search(r'id="message-recipients">2<', page)
    assert "Beijing time" in re.search(r'id="message-sent">(.*?)</dd>', page, re.S).group(1)
    assert 'class="sent">Sent: 2<' in page, "the in-process delivery sent both copies"
    tag, document = _frame(page, "message-html")
    assert " sandbox " in tag
    assert "We meet in &lt;Hall 3&gt; now." in document and "<p>" in document, "the email's HTML, as sent"
    assert "<Hall 3>" not in page


def test_another_event_s_message_is_not_found_and_another_organiser_s_is_refused(app):
    mine, theirs = make_event(), make_event()
    services.register(theirs, applicant(1))
    owner = signed_in_organiser(app, theirs, email="owner@example.org")
    send(owner, theirs.id, preview(owner, theirs.id))
    mailing_id = db.session.scalars(sa.select(Mailing.id)).one()

    client = signed_in_organiser(app, mine)
    assert client.get(f"/manage/events/{mine.id}/messages/{mailing_id}").status_code == 404
    assert client.get(f"/manage/events/{theirs.id}/messages/{mailing_id}").status_code == 403


def test_the_preview_shows_the_email_as_it_will_look_not_monospaced_text(app):
    event = make_event(title="Deep Space Lectures")
    services.register(event, applicant(1))
    client = signed_in_organiser(app, event)
    body = "Bring your passport.\n\n<b>Doors</b> open at 9."
    page = preview(client, event.id, body=body).get_data(as_text=True)
    tag, document = _frame(page, "preview-html")
    assert " sandbox " in tag
    assert document.lstrip().lower().startswith("<!doctype html") or "<html" in document
    assert "Bring your passport." in document and "&lt;b&gt;Doors&lt;/b&gt;" in document
    assert "Deep Space Lectures" in document


def test_the_form_ticks_nothing_and_shows_only_the_chosen_audience_s_filters(app):
    event = make_event()
    client = signed_in_organiser(app, event)
    page = client.get(new_message_url(event.id)).get_data(as_text=True)
    ticked = [value for pair in _ticked(page) for value in pair if value]
    assert ticked == ["registrants"], "only the audience is chosen; no status or kind of speaker is"
    assert " hidden" not in _fieldset(page, "registrant-filters")
    assert " hidden" in _fieldset(page, "speaker-filters")
    assert 'src="/static/js/message-audience.js"' in page

    unticked = preview(client, event.id, statuses=[]).get_data(as_text=True)
    assert "Choose at least one status." in unticked

    to_speakers = preview(client, event.id, audience="speakers", speakers=["accepted"], statuses=[])
    html = to_speakers.get_data(as_text=True)
    assert " hidden" in _fieldset(html, "registrant-filters")
    assert " hidden" not in _fieldset(html, "speaker-filters")


@both_databases
def test_the_server_ignores_the_filters_of_the_audience_not_chosen(app):
    event = make_event()
    services.register(event, applicant(1))
    _speaker("Irina Volkova", "volkova@example.org", event, InvitationStatus.accepted)
    client = signed_in_organiser(app, event)

    # Writing to speakers with registrant statuses still ticked (hidden by the page's script).
    fields = {"audience": "speakers", "speakers": ["accepted"], "statuses": ["confirmed", "waitlisted"],
              "categories": ["student"]}
    page = preview(client, event.id, **fields)
    html = page.get_data(as_text=True)
    assert "will go to <strong>1</strong> person" in html
    ticked = [value for pair in _ticked(html) for value in pair if value]
    assert "confirmed" not in ticked and "student" not in ticked, "the other audience's ticks are dropped"
    assert send(client, event.id, page, **fields).status_code == 303
    mailing = db.session.scalars(sa.select(Mailing)).one()
    assert set(mailing.filters) == {"speakers", "send_id"}

    # And the other way round: speakers' standings ticked while writing to registrants.
    fields = {"audience": "registrants", "statuses": ["confirmed"], "speakers": ["invited"], "subject": "Hi"}
    send(client, event.id, preview(client, event.id, **fields), **fields)
    latest = db.session.scalars(sa.select(Mailing).order_by(Mailing.id.desc())).first()
    assert "speakers" not in latest.filters and latest.recipient_count == 1
