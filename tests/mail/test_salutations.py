"""After "Dear X," on a line of its own, the email's first sentence starts with a capital letter."""

import re

from eventsys.database import db
from eventsys.mail import rendering
from eventsys.mail.models import OutboundEmail
from tests.test_pseudo_locale import _one_email_of_each_kind
from tests.world import build_world

#: the kinds that greet their reader by name
GREETING_KINDS = {
    "registration_confirmed", "registration_waitlisted", "registration_promoted", "registration_cancelled",
    "registration_pending", "registration_verify", "reminder", "event_cancelled", "speaker_invitation",
    "visa_letter_issued", "visa_letter_rejected", "visa_letter_revoked",
}
#: in the text part: the salutation line, blank lines, then the first line of the email's words
TEXT = re.compile(r"^Dear [^\n]*,\n\s*(\S[^\n]*)", re.MULTILINE)
#: in the HTML part: the salutation's paragraph, then the next paragraph's words
HTML = re.compile(r"<p>Dear [^<]*,</p>\s*<p>(.*?)</p>", re.DOTALL)


def _first_words(html_paragraph: str) -> str:
    return re.sub(r"<[^>]+>", "", html_paragraph).strip()


def test_every_email_starts_its_first_sentence_after_the_salutation_with_a_capital(app):
    ids = _one_email_of_each_kind(build_world())
    greeted = set()
    for email_id in ids:
        email = db.session.get(OutboundEmail, email_id)
        rendering.render(db.session, email, "events.test")
        for part, pattern, text in (("text", TEXT, email.text_body), ("html", HTML, email.html_body)):
            found = pattern.search(text)
            if found is None:
                continue  # an email without "Dear …," (to an organiser, a webhook's owner)
            greeted.add(email.kind)
            first = _first_words(found.group(1))
            assert not first[:1].islower(), (email.kind, part, first)
    db.session.rollback()
    assert GREETING_KINDS <= greeted
