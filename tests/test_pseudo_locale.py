"""No unmarked text: pages and emails rendered in a pseudo-language where every translation is ⟦bracketed⟧.

The catalogue is made from the committed messages.pot at test time, every message
translated as itself in brackets, for Esperanto (a locale Babel knows, that no reader of
ours uses). Whatever letters are left outside brackets, once the test's own data, the
dates (month and day names) and the language switch are taken away, were never marked.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import available_timezones

import pytest
import sqlalchemy as sa
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from eventsys.countries import countries
from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.invitations.emails import decline_url, invitation_url
from eventsys.locales import LANGUAGES
from eventsys.mail import outbox, rendering
from eventsys.mail.models import OutboundEmail
from eventsys.registration import checkin_codes
from eventsys.registration.models import Registration
from eventsys.speakers import invitation_links
from eventsys.speakers.models import Engagement, InvitationStatus
from eventsys.timezones import place_of, place_zones
from tests.conftest import make_app
from tests.world import build_world

ROOT = Path(__file__).resolve().parent.parent
PSEUDO = "eo"
#: a bracketed translation with nothing bracketed inside (a value can be a translation itself)
BRACKETED = re.compile(r"⟦[^⟦⟧]*⟧")
#: what a reader sees of an element besides its text
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


def pseudo_catalogue(directory: Path) -> Path:
    """translations/eo/LC_MESSAGES/messages.mo with every message of messages.pot as ⟦itself⟧."""
    with (ROOT / "eventsys" / "translations" / "messages.pot").open("rb") as file:
        template = read_po(file)
    catalog = Catalog(locale=PSEUDO)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            catalog.add(message.id, tuple(f"⟦{form}⟧" for form in message.id), flags=message.flags,
                        context=message.context)
        else:
            catalog.add(message.id, f"⟦{message.id}⟧", flags=message.flags, context=message.context)
    target = directory / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as file:
        write_mo(file, catalog)
    return directory


class _Reader(HTMLParser):
    """The text a reader sees: text outside script and style, and the attributes read aloud or shown."""

    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self._hidden = 0
        self._hiding: list[str] = []

    def handle_starttag(self, tag, attrs):
        # Hidden from everyone (the form's honeypot): nobody reads it, in any language.
        if tag in {"script", "style"} or ("aria-hidden", "true") in attrs:
            self._hidden += 1
            self._hiding.append(tag)
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (tag == "input" and name == "value"
                                                       and dict(attrs).get("type") in {"submit", "button"})):
                self.chunks.append(value)

    def handle_endtag(self, tag):
        if self._hiding and tag == self._hiding[-1]:
            self._hiding.pop()
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.chunks.append(data)


def _not_words() -> set[str]:
    """Words that may stand unbracketed: the pseudo-language's month and day names, zone labels."""
    locale = Locale.parse(PSEUDO)
    # "API" names the link to the API's description, the same in every language.
    words = {"GMT", "UTC", "API"}
    for context in ("format", "stand-alone"):
        for width in ("abbreviated", "wide", "narrow"):
            words.update(locale.months[context][width].values())
            words.update(locale.days[context][width].values())
    return words


def unmarked(text: str, data: list[str]) -> list[str]:
    """The words of text that are neither in brackets, nor data, nor part of a date."""
    while BRACKETED.search(text):
        text = BRACKETED.sub(" ", text)
    values = sorted((value for value in data if len(value) > 2 or not value.isascii()), key=len, reverse=True)
    if values:
        # Whole values only: a locale "en" must not take the letters out of "events".
        text = re.sub(r"(?<!\w)(?:" + "|".join(map(re.escape, values)) + r")(?!\w)", " ", text)
    allowed = _not_words()
    words = re.findall(r"[^\W\d_]+(?:['’.][^\W\d_]+)*\.?", text)
    return [word for word in words if word not in allowed and word.rstrip(".") not in allowed
            and len(word.rstrip(".")) > 1]


@pytest.fixture
def pseudo_app(sqlite_url, tmp_path, mail_dir):
    from tests.conftest import _empty_tables

    app = make_app(sqlite_url, MAIL_FILE_DIR=str(mail_dir), SUPPORTED_LOCALES=["en", "zh", "ru", PSEUDO],
                   BABEL_TRANSLATION_DIRECTORIES=str(pseudo_catalogue(tmp_path / "translations")))
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _data() -> list[str]:
    """Every text the test's rows hold (titles, names, addresses, tokens): the data, not the page's words."""
    values = set()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            for value in row:
                if isinstance(value, str) and len(value) > 1:
                    values.add(value)
                elif isinstance(value, list | dict):
                    values.update(str(v) for v in (value.values() if isinstance(value, dict) else value))
    # The check-in code as people read it (ABCD-EFGH) is data too, though stored without its hyphen.
    codes = db.session.scalars(sa.select(Registration.checkin_code))
    values.update(checkin_codes.shown(code) for code in codes)
    return sorted(values)


def _invite(world) -> None:
    """The world's speaker invited a day ago, so the invitation page and emails have a round."""
    engagement = db.session.get(Engagement, world.ids["engagement_id"])
    engagement.invitation_status = InvitationStatus.invited
    engagement.invited_at = utcnow() - timedelta(days=1)
    engagement.invitation_expires_at = utcnow() + timedelta(days=13)
    db.session.commit()


def _public_pages(world) -> list[str]:
    _invite(world)
    event = db.session.get(Event, world.ids["event_id"])
    registration = db.session.get(Registration, world.ids["registration_id"])
    invitation = invitation_links.invitation_token(world.ids["engagement_id"])
    invited, declining = invitation_url(world.ids["invitation_id"]), decline_url(world.ids["invitation_id"])
    return ["/", f"/events/{event.slug}", f"/events/{event.slug}/register", f"/r/{registration.token}",
            f"/invitations/{invitation}", "/login", "/no-such-page", "/registrations/confirm/forged",
            f"/r/{registration.token}/visa-letter", f"/verify/letters/VL-2027-W{registration.id:05d}",
            "/verify/letters/VL-2027-UNKNOWN", "/verify/letters",
            invited.removeprefix("http://events.test"), declining.removeprefix("http://events.test")]


def _one_email_of_each_kind(world) -> list[int]:
    """An outbox row of every kind the templates know, about the world's event, people and rows."""
    event = db.session.get(Event, world.ids["event_id"])
    registration = db.session.get(Registration, world.ids["registration_id"])
    engagement_id, mailing_id = world.ids["engagement_id"], world.ids["mailing_id"]
    _invite(world)
    db.session.get(Engagement, engagement_id).answered_at = utcnow()
    soon = (event.starts_at - timedelta(days=1)).isoformat()
    about_registration = {"event_id": event.id, "registration_id": registration.id}
    contexts = {
        "registration_confirmed": {}, "registration_waitlisted": {}, "registration_pending": {},
        "registration_promoted": {}, "registration_cancelled": {},
        "reminder": {"offset_minutes": 1440, "starts_in_minutes": 1440, "with_meeting_link": False},
        "event_moved": {"old_starts_at": soon, "old_ends_at": event.starts_at.isoformat()},
        "event_cancelled": {"reason": "Sorry"},
        "mailing": {"mailing_id": mailing_id},
        "visa_letter_issued": {"letter_id": world.ids["letter_id"]},
        "visa_letter_rejected": {"letter_id": world.ids["letter_id"]},
        "visa_letter_revoked": {"letter_id": world.ids["letter_id"]},
        "registration_invitation": {"invitation_id": world.ids["invitation_id"]},
        "registration_invitation_reminder": {"invitation_id": world.ids["invitation_id"]},
        "webhook_endpoint_disabled": {"endpoint_id": world.ids["endpoint_id"], "url": "http://127.0.0.1:9/eventsys",
                                      "reason": "failing"},
        "attendance_certificate": {},
    }
    ids = [outbox.enqueue(kind, registration.email, f"pseudo:{kind}", context=context, **about_registration)
           for kind, context in contexts.items()]
    ids.append(outbox.enqueue("registration_verify", "new@example.org", "pseudo:verify", event_id=event.id,
                              context={"name": "Pseudo Person", "verify_url": "http://events.test/v",
                                       "expires_at": soon}))
    ids.append(outbox.enqueue("speaker_invitation", "volkova@example.org", "pseudo:invitation",
                              event_id=event.id, context={"engagement_id": engagement_id}))
    ids.append(outbox.enqueue("invitation_answered", "organiser@example.org", "pseudo:answered",
                              event_id=event.id,
                              context={"engagement_id": engagement_id, "accepted": True, "note": "Gladly"}))
    db.session.commit()
    subjects = (ROOT / "templates" / "mail").glob("*.subject.txt")
    kinds = {path.name.removesuffix(".subject.txt") for path in subjects}
    assert kinds == set(contexts) | {"registration_verify", "speaker_invitation", "invitation_answered"}, \
        "a new kind of email: add it here"
    return ids


def _page_words(client, path: str, data: list[str]) -> list[str]:
    answer = client.get(path)
    assert answer.status_code < 500, path
    reader = _Reader()
    reader.feed(answer.get_data(as_text=True))
    # Country and zone names are data of the language, from CLDR (countries, timezones), not messages.
    countries_named = [name for _code, name in countries(PSEUDO)]
    zones_named = [f"{place_of(zone, PSEUDO)} — {zone}" for zone in place_zones()]
    return unmarked(" ".join(reader.chunks), data + list(LANGUAGES.values()) + countries_named + zones_named)


def test_every_public_page_is_marked_for_translation(pseudo_app):
    world = build_world()
    data = _data()
    client = pseudo_app.test_client()
    assert client.get(f"/language/{PSEUDO}").status_code == 303
    found = {}
    for path in _public_pages(world):
        words = _page_words(client, path, data)
        if words:
            found[path] = words
    assert found == {}, f"unmarked text (mark it with _() and run `make update-translations`): {found}"


def test_every_email_is_marked_for_translation(pseudo_app):
    world = build_world()
    ids = _one_email_of_each_kind(world)
    data = _data()
    found = {}
    for email_id in ids:
        email = db.session.get(OutboundEmail, email_id)
        email.locale = PSEUDO
        rendering.render(db.session, email, "events.test")
        for part, text in (("subject", email.subject), ("text", email.text_body)):
            words = unmarked(text, data)
            if words:
                found[f"{email.kind} {part}"] = words
        reader = _Reader()
        reader.feed(email.html_body)
        words = unmarked(" ".join(reader.chunks), data)
        if words:
            found[f"{email.kind} html"] = words
    db.session.rollback()
    assert found == {}, f"unmarked text (mark it with _() and run `make update-translations`): {found}"


def _workspace_pages(app, world) -> list[str]:
    """Every workspace page a GET shows, filled with the world's objects, and the account's pages."""
    paths = ["/account/password", "/account/language", "/account/api-tokens"]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/manage/") and "GET" in rule.methods:
            path = rule.rule
            for name, value in world.ids.items():
                path = path.replace(f"<int:{name}>", str(value))
            assert "<" not in path, f"{rule.rule}: tests/world.py has no object for this parameter: add one"
            paths.append(path)
    return sorted(set(paths))


def test_every_workspace_page_is_marked_for_translation(pseudo_app):
    from eventsys.accounts.models import User
    from tests.factories import sign_in

    world = build_world()
    _invite(world)
    # An admin sees every page, the office-wide ones (the outbox) too.
    db.session.get(User, world.ids["user_id"]).is_admin = True
    db.session.commit()
    event = db.session.get(Event, world.ids["event_id"])
    # Data too: the event's public address, the IANA names of the zone select, file formats, the
    # passport name of the world's visa letter, and the office's letter template (its stored texts).
    from eventsys.visas.letters import PLACEHOLDERS, office_template

    template = office_template()
    template_lines = [line.strip() for field in ("school_name", "school_name_zh", "address", "address_zh",
                                                 "signatory_title", "signatory_title_zh", "body", "body_zh")
                      for line in getattr(template, field).splitlines() if line.strip()]
    db.session.commit()
    zones = available_timezones()
    data = _data() + [f"/events/{event.slug}", "CSV", "PDF", "XLSX", "Ivanov Ivan", *template_lines,
                      *(f"{{{name}}}" for name in PLACEHOLDERS),
                      *sorted(zones)]
    client = pseudo_app.test_client()
    assert sign_in(client, world.organiser_email).status_code == 303
    assert client.get(f"/language/{PSEUDO}").status_code == 303
    found = {}
    for path in _workspace_pages(pseudo_app, world):
        answer = client.get(path)
        if answer.mimetype != "text/html":
            continue  # a QR code, a CSV export: files, not pages
        if "sandbox" in answer.headers.get("Content-Security-Policy", ""):
            continue  # an email as sent, in its recipient's language (checked by the test above)
        # Zones named by two letters ("GB", "NZ") are too short for unmarked to take out as data.
        words = [word for word in _page_words(client, path, data) if word not in zones]
        if words:
            found[path] = words
    assert found == {}, f"unmarked text (mark it with _() and run `make update-translations`): {found}"
