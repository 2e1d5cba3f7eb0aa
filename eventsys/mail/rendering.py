"""Turning an outbox row into its subject, bodies and attachment, from templates/mail/<kind>.*"""

from datetime import datetime
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session, joinedload

from eventsys.events.calendar import event_calendar
from eventsys.events.models import Event, EventStatus
from eventsys.links import external_url
from eventsys.locales import supported_locale
from eventsys.mail.models import OutboundEmail
from eventsys.messages.models import Mailing
from eventsys.registration import qrcodes
from eventsys.registration.models import Registration
from eventsys.registration.services import waitlist_position
from eventsys.reminders.services import link_comes_with_seat, meeting_link_lead, starts_in
from eventsys.speakers import invitation_links, invitations
from eventsys.speakers.models import Engagement

#: kinds whose message carries the event as an .ics attachment (a cancellation's removes the entry)
WITH_CALENDAR = {"registration_confirmed", "registration_promoted", "event_moved", "event_cancelled"}
#: kinds that can tell a confirmed attendee of their seat after the last reminder has gone: these carry
#: the meeting link themselves then (reminders.services.link_comes_with_seat)
WITH_LATE_MEETING_LINK = {"registration_confirmed", "registration_promoted", "event_moved"}


def _registration_context(session: Session, email: OutboundEmail) -> dict:
    registration = session.get(Registration, email.registration_id)
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "event_url": external_url("events.detail", slug=event.slug),
        "manage_url": external_url("registration.manage", token=registration.token),
        # The check-in code as an image, by a link that opens nothing else (mail clients' image proxies
        # keep it); the image answers only while the seat is confirmed.
        "qr_url": external_url("registration.qr_image", token=qrcodes.image_link_token(registration.id)),
        "position": waitlist_position(registration, session),
        **_meeting_link_context(email, registration),
    }


def _meeting_link_context(email: OutboundEmail, registration: Registration) -> dict:
    """When the meeting link comes (for the event's facts), and whether this very email gives it."""
    event = registration.event
    if not event.is_online:
        return {}
    context = {"meeting_link_lead": meeting_link_lead(event)}
    if email.kind in WITH_LATE_MEETING_LINK:
        context["with_meeting_link"] = link_comes_with_seat(event, registration)
    return context


def _move_context(email: OutboundEmail) -> dict:
    """The times a moved event had before, as the instants the templates show."""
    return {name: datetime.fromisoformat(email.context[name]) for name in ("old_starts_at", "old_ends_at")}


def _event_context(session: Session, email: OutboundEmail) -> dict:
    """The event of an email about no registration yet (a registrant confirming their address)."""
    event = session.get(Event, email.event_id)
    return {"event": event, "event_url": external_url("events.detail", slug=event.slug)}


def _verification_context(email: OutboundEmail) -> dict:
    """When the verification link stops working, as an instant, and how many minutes that is."""
    expires_at = datetime.fromisoformat(email.context["expires_at"])
    return {"expires_at": expires_at, "minutes": round((expires_at - email.created_at).total_seconds() / 60)}


def _engagement_context(session: Session, email: OutboundEmail) -> dict:
    """The invitation, its speaker, event and item; the speaker's own email also gets the answer links."""
    engagement = session.scalars(
        sa.select(Engagement)
        .where(Engagement.id == email.context["engagement_id"])
        .options(joinedload(Engagement.speaker), joinedload(Engagement.event),
                 joinedload(Engagement.programme_item))
    ).one()
    event = engagement.event
    context = {
        "engagement": engagement,
        "speaker": engagement.speaker,
        "event": event,
        "item": engagement.programme_item,
        "role_words": invitations.role_in_words(engagement.role),
        # Drafts have no public page yet: a link to one would be a 404.
        "event_url": external_url("events.detail", slug=event.slug)
        if event.status is EventStatus.published else None,
    }
    if email.kind == "speaker_invitation":
        # Only the speaker's own email carries the links that answer for them.
        token = invitation_links.invitation_token(engagement.id)
        context["accept_url"] = external_url("speakers.invitation", token=token, answer="accept")
        context["decline_url"] = external_url("speakers.invitation", token=token, answer="decline")
    return context


def _mailing_context(session: Session, email: OutboundEmail, context: dict) -> dict:
    """An organiser's message from its Mailing row; a speaker's copy has no registration: add its event."""
    # The session keeps only objects someone holds: without this, each copy of a batch reads the row again.
    held = session.info.setdefault("mailings", {})
    mailing_id = email.context["mailing_id"]
    if mailing_id not in held:
        held[mailing_id] = session.get(Mailing, mailing_id)
    extra = {"mailing": held[mailing_id]}
    if "event" not in context:
        event = session.get(Event, email.event_id)
        extra["event"] = event
        extra["event_url"] = external_url("events.detail", slug=event.slug) \
            if event.status is EventStatus.published else None
    return extra


def context_for(session: Session, email: OutboundEmail) -> dict:
    """What the templates of this email need, read from the rows it refers to."""
    context = {"locale": email.locale, **email.context}
    if email.registration_id is not None:
        context.update(_registration_context(session, email))
    if email.kind == "event_moved":
        context.update(_move_context(email))
    if email.kind == "reminder" and "starts_in_minutes" in email.context:
        # Rows queued before this change carry the words ("starts_in") already, in English.
        context["starts_in"] = starts_in(email.context["starts_in_minutes"])
    if email.kind == "registration_verify":
        context.update(_event_context(session, email), **_verification_context(email))
    if "engagement_id" in email.context:
        context.update(_engagement_context(session, email))
    if "mailing_id" in email.context:
        context.update(_mailing_context(session, email, context))
    return context


def render(session: Session, email: OutboundEmail, sender_domain: str) -> None:
    """Fill in the message once; retries and resends then send exactly the same thing.

    In the recipient's language, words and dates alike, whoever caused the email; a
    language we do not write (stored before it was dropped) gets the first we do.
    """
    language = supported_locale(email.locale) or current_app.config["SUPPORTED_LOCALES"][0]
    with force_locale(language):
        _render(session, email, sender_domain, language)


def _render(session: Session, email: OutboundEmail, sender_domain: str, language: str) -> None:
    context = {**context_for(session, email), "locale": language}
    email.subject = " ".join(render_template(f"mail/{email.kind}.subject.txt", **context).split())
    email.text_body = render_template(f"mail/{email.kind}.txt", **context)
    email.html_body = render_template(f"mail/{email.kind}.html", **context)
    if email.kind in WITH_CALENDAR:
        event = context["event"]
        email.ics = event_calendar(event, context["event_url"]).decode()
    email.message_id = make_msgid(idstring=f"outbox.{email.id}", domain=sender_domain)
