"""Messages to an event's registrants or speakers: choosing them, counting them, queueing one copy each.

Sending is safe to repeat. The preview hands out a send id (inside a signed token);
it goes into every copy's idempotency key ("mailing:<send_id>:registration:<id>",
"mailing:<send_id>:speaker:<id>") and into the mailing's filters, so the same send
form submitted twice, or by two clicks at once, queues each copy once. The web
request only writes outbox rows, in one statement for any number of registrants;
the worker sends them.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from eventsys.database import db
from eventsys.events.models import Event, EventStatus
from eventsys.links import external_url
from eventsys.mail import outbox
from eventsys.mail.models import EmailState, OutboundEmail
from eventsys.messages.emails import MAILING
from eventsys.messages.models import Audience, Mailing
from eventsys.registration.emails import enqueue_for_registrations
from eventsys.registration.models import Registration
from eventsys.speakers.models import Engagement, Speaker
from eventsys.tokens import InvalidToken, make_token, read_token

#: the outbox kind, and the templates templates/mail/mailing.*
KIND = MAILING
#: how a speaker stands with the event: accepted an invitation, invited and not answered, or added directly
SPEAKER_STANDINGS = ("accepted", "invited", "direct")
#: a preview older than this is shown again, with a fresh count, before anything is sent
PREVIEW_VALID_FOR = timedelta(hours=4)
_PREVIEW_PURPOSE = "mailing-preview"


@dataclass(frozen=True)
class Draft:
    """A message as the organiser composed it: to whom (audience and filters) and what."""

    event_id: int
    audience: Audience
    #: registrants: statuses, categories, countries (empty = all); speakers: standings
    filters: dict
    subject: str
    body: str

    def digest(self) -> str:
        """A fingerprint of the whole draft: a send must be exactly what the preview showed."""
        text = json.dumps([self.event_id, self.audience.value, self.filters, self.subject, self.body],
                          sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Reach:
    """Who a draft would go to."""

    recipients: int
    #: speakers who match but have no email address: they are left out
    without_email: int = 0


class PreviewOutdated(Exception):
    """The send form does not carry a valid preview of this very draft."""


class RecipientsChanged(Exception):
    """Between the preview and the send, people joined or left the chosen set; nothing was sent."""

    def __init__(self, count: int):
        super().__init__(f"The message would now go to {count} people.")
        self.count = count


def _registrants(draft: Draft) -> sa.ColumnElement[bool]:
    filters = draft.filters
    clauses = [Registration.event_id == draft.event_id, Registration.status.in_(filters["statuses"])]
    if filters.get("categories"):
        clauses.append(Registration.category.in_(filters["categories"]))
    if filters.get("countries"):
        clauses.append(Registration.country.in_(filters["countries"]))
    return sa.and_(*clauses)


def _speakers(draft: Draft) -> sa.ColumnElement[bool]:
    """Speakers of the event in a chosen standing; one with several engagements counts once."""
    standings = draft.filters["speakers"]
    chosen = [Engagement.invitation_status.in_([s for s in standings if s != "direct"])]
    if "direct" in standings:
        chosen.append(Engagement.invitation_status.is_(None))
    return sa.exists().where(Engagement.speaker_id == Speaker.id, Engagement.event_id == draft.event_id,
                             sa.or_(*chosen))


def reach(draft: Draft) -> Reach:
    """How many people the draft would go to, in one COUNT query."""
    if draft.audience is Audience.registrants:
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(Registration).where(_registrants(draft))
        )
        return Reach(count)
    with_email, everyone = db.session.execute(
        sa.select(sa.func.count(Speaker.email), sa.func.count()).select_from(Speaker).where(_speakers(draft))
    ).one()
    return Reach(with_email, everyone - with_email)


def new_send_id() -> str:
    """A fresh id for one send of one preview."""
    return secrets.token_urlsafe(12)


def preview_token(draft: Draft, send_id: str, count: int) -> str:
    """What the send button carries: the send id and count the preview showed, bound to the draft."""
    return make_token(_PREVIEW_PURPOSE, {"send_id": send_id, "count": count, "digest": draft.digest()})


def read_preview(draft: Draft, token: str) -> tuple[str, int]:
    """The send id and count the preview showed; PreviewOutdated when it showed another draft, or long ago."""
    try:
        payload = read_token(_PREVIEW_PURPOSE, token, PREVIEW_VALID_FOR)
    except InvalidToken:
        raise PreviewOutdated(_("Check the preview again before sending: it is too old.")) from None
    if payload.get("digest") != draft.digest():
        raise PreviewOutdated(_("The message or its recipients changed after the preview. "
                                "Check the new preview, then send."))
    return payload["send_id"], payload["count"]


@dataclass(frozen=True)
class Copy:
    """One recipient's copy as the templates write it: what the preview and a sent message's page show."""

    subject: str
    text: str
    #: the whole HTML document, shown in a sandboxed frame, never as markup of the page
    html: str


def preview(draft: Draft, event: Event) -> Copy:
    """The copy one recipient would read, with a stand-in name and link."""
    context = {
        "mailing": Mailing(subject=draft.subject, body=draft.body),  # transient: never added to the session
        "event": event,
        "event_url": _event_url(event),
        "locale": "en",
        "registration": None,
        "name": _("(the recipient's name)"),
    }
    if draft.audience is Audience.registrants:
        context["manage_url"] = _("(the registrant's own link)")
    subject = " ".join(render_template(f"mail/{KIND}.subject.txt", **context).split())
    return Copy(subject, render_template(f"mail/{KIND}.txt", **context),
                render_template(f"mail/{KIND}.html", **context))


def draft_of(mailing: Mailing) -> Draft:
    """The draft a sent message was made from, to show it again as its recipients read it."""
    filters = {name: value for name, value in mailing.filters.items() if name != "send_id"}
    return Draft(mailing.event_id, mailing.audience, filters, mailing.subject, mailing.body)


def _event_url(event: Event) -> str | None:
    # An event not yet published has no public page: a link to it would be a 404.
    return external_url("events.detail", slug=event.slug) if event.status is EventStatus.published else None


def _mailing_with_send_id(event_id: int, send_id: str, other_than: int | None = None) -> Mailing | None:
    query = sa.select(Mailing).where(Mailing.event_id == event_id,
                                     Mailing.filters["send_id"].as_string() == send_id)
    if other_than is not None:
        query = query.where(Mailing.id != other_than)
    return db.session.scalars(query.order_by(Mailing.id).limit(1)).first()


def _queue_copies(mailing: Mailing, draft: Draft, send_id: str) -> int:
    """One outbox row per recipient; returns how many were added."""
    context = {"mailing_id": mailing.id}
    if draft.audience is Audience.registrants:
        return enqueue_for_registrations(KIND, _registrants(draft), scope=send_id, context=context)
    speakers = db.session.execute(
        sa.select(Speaker.id, Speaker.title, Speaker.name, Speaker.email, Speaker.locale)
        .where(_speakers(draft), Speaker.email.is_not(None))
        .order_by(Speaker.id)
    ).all()
    queued = 0
    for speaker_id, title, name, email, locale in speakers:
        # The row has no registration to name the reader: the name rides in the row's context.
        copy = {**context, "name": f"{title} {name}".strip()}
        key = f"{KIND}:{send_id}:speaker:{speaker_id}"
        if outbox.enqueue(KIND, email, key, locale=locale, context=copy, event_id=draft.event_id) is not None:
            queued += 1
    return queued


def _one_send_at_a_time(send_id: str) -> None:
    """Make a twin submit of the same form wait here until the first one has committed.

    On PostgreSQL with a lock held to the end of the transaction (without it the two
    could also deadlock, inserting the same keys in different orders); SQLite lets one
    writer in at a time anyway, and the check after the insert covers it.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"{KIND}:{send_id}"))))


def send(draft: Draft, send_id: str, expected_count: int, sent_by_id: int | None) -> tuple[Mailing, bool]:
    """Record the mailing and queue its copies in one transaction; (mailing, False) when it was sent before.

    Raises RecipientsChanged, having written nothing, when the copies queued are not
    the expected_count the organiser agreed to: they must see the new figure first.
    """
    _one_send_at_a_time(send_id)
    earlier = _mailing_with_send_id(draft.event_id, send_id)
    if earlier is not None:
        db.session.rollback()  # ends the transaction, and with it the lock
        return earlier, False
    mailing = Mailing(event_id=draft.event_id, audience=draft.audience,
                      filters={**draft.filters, "send_id": send_id}, subject=draft.subject, body=draft.body,
                      sent_by_id=sent_by_id)
    db.session.add(mailing)
    db.session.flush()
    queued = _queue_copies(mailing, draft, send_id)
    # On SQLite the twin may have read before the first wrote, then waited for the write lock:
    # the first one has committed by now, and it is the one that counts.
    earlier = _mailing_with_send_id(draft.event_id, send_id, other_than=mailing.id)
    if earlier is not None:
        db.session.rollback()
        return earlier, False
    if queued != expected_count:
        db.session.rollback()
        raise RecipientsChanged(queued)
    mailing.recipient_count = queued
    db.session.commit()
    return mailing, True


def sent_mailings(event_id: int) -> list[Mailing]:
    """The event's mailings, newest first."""
    return list(db.session.scalars(
        sa.select(Mailing).where(Mailing.event_id == event_id).order_by(Mailing.id.desc())
    ))


def delivery_progress(event_id: int, only: int | None = None) -> dict[int, dict[str, int]]:
    """Each mailing's copies by state, {mailing_id: {"waiting": n, "sent": n, ...}}, in one grouped query.

    only: the id of one mailing, for its own page.
    """
    mailing_id = OutboundEmail.context["mailing_id"].as_integer()
    query = (sa.select(mailing_id.label("mailing_id"), OutboundEmail.state, sa.func.count())
             .where(OutboundEmail.event_id == event_id, OutboundEmail.kind == KIND)
             .group_by(mailing_id, OutboundEmail.state))
    if only is not None:
        query = query.where(mailing_id == only)
    rows = db.session.execute(query)
    progress: dict[int, dict[str, int]] = {}
    for mailing, state, count in rows:
        # Being sent this second is still waiting, for the organiser.
        name = "waiting" if state in (EmailState.queued, EmailState.sending) else state.value
        counts = progress.setdefault(mailing, {})
        counts[name] = counts.get(name, 0) + count
    return progress
