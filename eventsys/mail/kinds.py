"""The kinds of email, each registered by the domain that causes it: mail/ renders by these alone.

An outbox row names its kind (`registration_confirmed`, `reminder`, ...); the kind
says what its templates `templates/mail/<name>.*` are given, whether it carries the
event's calendar, what else it carries (an image shown inside it, files attached),
and what to load at once for a whole batch. Mail knows no domain:
each one lists its kinds in its `emails.py`, and `eventsys.register_email_kinds`
registers them all when the app is created (the web app, the worker and `flask`
commands alike).
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session

from eventsys.mail.models import OutboundEmail


class UnknownEmailKind(LookupError):
    """An outbox row names a kind nobody registered."""


@dataclass(frozen=True)
class Attachment:
    """A part the message carries besides its text: a file attached, or an image its HTML shows.

    Made again at each delivery from the rows the email refers to, never stored: so the
    maker must give the same bytes for the same row, and a retry sends the same message.
    """

    #: the file's name as the mail program offers it: "ticket-spring-school.pdf"
    filename: str
    #: "application/pdf", "image/png", ...
    content_type: str
    data: bytes
    #: for an image the HTML shows as <img src="cid:...">: that id, without the angle brackets;
    #: None for a file attached
    content_id: str | None = None


@dataclass(frozen=True)
class EmailKind:
    """One kind of email, rendered from templates/mail/<name>.subject.txt, .txt and .html."""

    #: the name outbox rows carry and the templates are named by; rows already stored keep it: never rename
    name: str
    #: what the templates are given beyond the row's own context, read from the rows the outbox row refers to
    context: Callable[[Session, OutboundEmail], dict]
    #: the iCalendar text attached as event.ics, made from that context; None: no attachment
    ics: Callable[[dict], str] | None = None
    #: loads the rows a batch of these emails refers to in one query, so that rendering each finds them in
    #: the session; returns them, for the caller to hold (a session only remembers objects someone holds)
    preload: Callable[[Session, list[OutboundEmail]], list] | None = None
    #: how the organisers' pages name the kind ("Registration confirmed"): a lazy translatable string;
    #: None: a name made from `name` (label_of)
    label: str | LazyString | None = None
    #: what the message carries besides its text and calendar, made at delivery from the rendered row (its
    #: html_body is filled); an empty list when the rows it needs are gone. None: nothing
    attachments: Callable[[Session, OutboundEmail], list[Attachment]] | None = None


_registered: dict[str, EmailKind] = {}


def register(kind: EmailKind) -> None:
    """Add a kind; the same kind again is no change, another kind of the same name an error."""
    known = _registered.get(kind.name)
    if known is None:
        _registered[kind.name] = kind
    elif known != kind:  # every create_app() registers again: only a second meaning of a name is wrong
        raise ValueError(f"two kinds of email are named {kind.name!r}: {known} and {kind}")


def kind_named(name: str) -> EmailKind:
    """The registered kind of this name; UnknownEmailKind if there is none."""
    try:
        return _registered[name]
    except KeyError:
        raise UnknownEmailKind(
            f"no kind of email is named {name!r}: is it in the KINDS of its domain's emails.py, "
            "and were they registered (eventsys.register_email_kinds)?"
        ) from None


def registered_names() -> set[str]:
    """The names of every registered kind."""
    return set(_registered)


def label_of(name: str) -> str:
    """How pages name a kind, in the page's language; a kind nobody registered gets its name made readable.

    Rows outlive code: an outbox row may name a kind since removed, and its page must still open.
    """
    kind = _registered.get(name)
    if kind is not None and kind.label is not None:
        return str(kind.label)
    return name.replace("_", " ").strip().capitalize() or "—"
