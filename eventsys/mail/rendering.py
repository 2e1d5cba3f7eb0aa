"""Turning an outbox row into its subject, bodies and attachment, from templates/mail/<kind>.*

What the templates are given, and whether a calendar goes with them, is the kind's to say
(mail/kinds.py): the domain that causes the email registers it.
"""

from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from eventsys.locales import supported_locale
from eventsys.mail.kinds import kind_named
from eventsys.mail.models import OutboundEmail


def context_for(session: Session, email: OutboundEmail) -> dict:
    """What the templates of this email need: its row's own context, and what its kind reads for it."""
    return {"locale": email.locale, **email.context, **kind_named(email.kind).context(session, email)}


def render(session: Session, email: OutboundEmail, sender_domain: str) -> None:
    """Fill in the message once; retries and resends then send exactly the same thing.

    In the recipient's language, words and dates alike, whoever caused the email; a
    language we do not write (stored before it was dropped) gets the first we do.
    """
    language = supported_locale(email.locale) or current_app.config["SUPPORTED_LOCALES"][0]
    with force_locale(language):
        _render(session, email, sender_domain, language)


def _render(session: Session, email: OutboundEmail, sender_domain: str, language: str) -> None:
    kind = kind_named(email.kind)
    context = {**context_for(session, email), "locale": language}
    email.subject = " ".join(render_template(f"mail/{email.kind}.subject.txt", **context).split())
    email.text_body = render_template(f"mail/{email.kind}.txt", **context)
    email.html_body = render_template(f"mail/{email.kind}.html", **context)
    if kind.ics is not None:
        email.ics = kind.ics(context)
    email.message_id = make_msgid(idstring=f"outbox.{email.id}", domain=sender_domain)
