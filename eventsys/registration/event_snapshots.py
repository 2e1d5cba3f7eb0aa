"""The event a public registration is for, read once a second per process rather than on every request.

A popular lecture gets hundreds of registrations a second, each for the same event
and its questions; reading them every time was an eighth of the CPU a registration
cost (BENCHMARKS.md, issue [5]'s profile). Each process keeps what it read, detached from any session,
for SNAPSHOT_SECONDS, and forgets all of it as soon as any event or question changes
in this process. A change made in another process shows here within that second.

Nothing the seat rule needs is taken from here: the seat statement reads capacity,
counters and status under the event's lock (seats.py), so a snapshot a moment old
cannot overbook or let anyone into a closed event. At worst, for that second, a
registrant is checked against the questions as they were when their form was drawn.
"""

import itertools
import threading
import time

import sqlalchemy as sa

from eventsys.database import db
from eventsys.events import services as events
from eventsys.events.models import Event
from eventsys.registration.models import Question

#: how long a process reuses an event it read
SNAPSHOT_SECONDS = 1.0

#: (database URL, slug) → (when read, the event with its questions, detached); shared by threads
_snapshots: dict[tuple[str, str], tuple[float, Event]] = {}
_lock = threading.Lock()


def event_for_registration(slug: str) -> Event | None:
    """The event with this slug and its questions, at most SNAPSHOT_SECONDS old; None if there is none.

    The object is shared by every request of the process: read it, never change it.
    """
    key = (db.engine.url.render_as_string(), slug)
    held = _snapshots.get(key)
    now = time.monotonic()
    if held is not None and now - held[0] < SNAPSHOT_SECONDS:
        return held[1]
    # Read in a session of its own and detached from it: the request's session may hold this
    # event already (and go on using it), and no commit of anyone's may expire the snapshot.
    with sa.orm.Session(db.engine, expire_on_commit=False) as session:
        event = session.scalars(events.event_by_slug_query(), {"slug": slug}).unique().first()
        session.expunge_all()
    if event is None:
        return None
    with _lock:
        _snapshots[key] = (now, event)
    return event


def forget_all() -> None:
    """Drop every snapshot (an event or a question changed here)."""
    with _lock:
        _snapshots.clear()


def _forget_on_change(session, _flush_context) -> None:
    changed = itertools.chain(session.new, session.dirty, session.deleted)
    if _snapshots and any(isinstance(thing, Event | Question) for thing in changed):
        forget_all()


def install() -> None:
    """Forget the snapshots whenever a session of this process writes an event or a question."""
    if not sa.event.contains(sa.orm.Session, "after_flush", _forget_on_change):
        sa.event.listen(sa.orm.Session, "after_flush", _forget_on_change)
