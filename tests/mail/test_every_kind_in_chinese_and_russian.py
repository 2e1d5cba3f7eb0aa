"""Every kind of email, rendered in Chinese and in Russian: its words and its dates are in that language."""

import re

import pytest

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.mail import rendering
from eventsys.mail.models import OutboundEmail
from eventsys.timezones import in_zone
from tests.test_pseudo_locale import _data, _one_email_of_each_kind
from tests.world import build_world

SCRIPT = {"zh": re.compile(r"[\u4e00-\u9fff]"), "ru": re.compile(r"[А-Яа-яЁё]")}
#: three English words in a row, outside the data: a sentence left untranslated
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b")
#: the kinds that state when the event starts
DATED = {"registration_confirmed", "registration_waitlisted", "registration_pending", "registration_promoted",
         "reminder", "speaker_invitation", "event_cancelled"}


def _without(text: str, data: list[str]) -> str:
    for value in sorted((v for v in data if len(v) > 2), key=len, reverse=True):
        text = text.replace(value, " ")
    return re.sub(r"https?://\S+", " ", text)


@pytest.mark.parametrize("language", ["zh", "ru"])
def test_each_kind_reads_in_the_recipient_s_language_with_dates_in_it(app, language):
    world = build_world()
    ids = _one_email_of_each_kind(world)
    event = db.session.get(Event, world.ids["event_id"])
    data = _data() + ["IEEE", "PDF", "VL-"]
    local_start = in_zone(event.starts_at, event.timezone, language)
    english_start = in_zone(event.starts_at, event.timezone, "en")
    seen = set()
    for email_id in ids:
        email = db.session.get(OutboundEmail, email_id)
        email.locale = language
        rendering.render(db.session, email, "events.test")
        seen.add(email.kind)
        for part, text in (("subject", email.subject), ("text", email.text_body)):
            # A mailing's subject is the organiser's own, in whatever language they wrote it.
            if not (email.kind == "mailing" and part == "subject"):
                assert SCRIPT[language].search(text), (email.kind, part, text)
            leftover = ENGLISH_RUN.findall(_without(text, data))
            assert leftover == [], (email.kind, part, leftover)
        assert f'lang="{language}"' in email.html_body, email.kind
        if email.kind in DATED:
            assert local_start in email.text_body, (email.kind, local_start, email.text_body)
            assert english_start not in email.text_body
    db.session.rollback()
    assert {"registration_confirmed", "speaker_invitation", "visa_letter_issued", "reminder"} <= seen
