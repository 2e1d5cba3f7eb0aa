"""Idempotency-Key on the organiser API's writes: a request repeated with its key runs once.

A client that does not know whether its POST arrived (a timeout, a dropped
connection) sends it again with the same `Idempotency-Key` header, and gets the first
answer back, with `Idempotent-Replayed: true`, while nothing is done twice. Keys
belong to the token's user, and live for a day (KEY_LIFETIME; the periodic work
deletes them after).

Why never two runs of one key: before the view runs, the key is claimed by inserting
its row (INSERT … ON CONFLICT DO NOTHING on the unique (user, key)), committed at
once. Exactly one request's insert creates the row, on both databases; any other
finds it. A request that finds it:
- with another fingerprint (method, path, query and body) answers 422: the key names
  another request;
- with the first answer stored, replays it;
- while the first is still running, waits for it (API_IDEMPOTENCY_WAIT_SECONDS), then
  replays its answer, or answers 409 with Retry-After when it is still not done.

What is kept: every answer below 500 except 422. A 422 means the request was refused
as invalid and nothing was written, so the claim is given up and the key may be sent
again with the request corrected. A 5xx gives the claim up too, so a retry runs. The
view's own transaction commits before the answer is stored, in a second transaction:
if the process dies between the two, the claim stays unanswered and retries get 409
until the key expires, which is safer than running the request twice.
"""

import hashlib
import re
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Response, current_app, g, request
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy.dialects import postgresql, sqlite

from eventsys.api.models import KEY_MAX, IdempotentRequest
from eventsys.database import db, utcnow

HEADER = "Idempotency-Key"
#: methods a key applies to; GET changes nothing and needs none
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
#: how long a key is remembered
KEY_LIFETIME = timedelta(hours=24)
#: visible ASCII, as a UUID or any token a client makes: what a header carries safely
KEY_SHAPE = re.compile(rf"[!-~]{{1,{KEY_MAX}}}")
#: the headers of an answer kept and replayed with its body
KEPT_HEADERS = ("Content-Type", "Location", "Link", "Retry-After")
#: how often a waiting request looks whether the first one is done
_POLL_SECONDS = 0.05

#: the OpenAPI description of the header, on every operation that takes it
PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "description": "Any text of your own (a UUID, say) naming this request: sent again with the same "
                   "key within 24 hours, the request is not run again and the first answer comes back. "
                   "The same key with another request is refused with 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX, "pattern": "^[!-~]+$"},
}


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string,
                 request.get_data(cache=True)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _insert_claim(user_id: int, key: str, fingerprint: str, now: datetime) -> int | None:
    """Insert the key's row and commit; its id, or None when the row exists already."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    claim_id = db.session.scalar(
        dialect.insert(IdempotentRequest)
        .values(user_id=user_id, key=key, fingerprint=fingerprint, created_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotentRequest.id)
    )
    db.session.commit()
    return claim_id


def _stored(user_id: int, key: str) -> sa.Row | None:
    """The key's row as committed now (columns, not an entity: nothing cached from an earlier look)."""
    row = db.session.execute(
        sa.select(IdempotentRequest.id, IdempotentRequest.fingerprint, IdempotentRequest.created_at,
                  IdempotentRequest.status_code, IdempotentRequest.body, IdempotentRequest.headers)
        .where(IdempotentRequest.user_id == user_id, IdempotentRequest.key == key)
    ).first()
    db.session.commit()  # end the read: the next look must see what was committed since
    return row


def _forget(claim_id: int, older_than: datetime | None = None) -> None:
    statement = sa.delete(IdempotentRequest).where(IdempotentRequest.id == claim_id)
    if older_than is not None:
        statement = statement.where(IdempotentRequest.created_at <= older_than)
    db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()


def _replay(row: sa.Row) -> Response:
    headers = dict(row.headers or {})
    headers["Idempotent-Replayed"] = "true"
    return Response(row.body or "", status=row.status_code, headers=headers)


def _refuse(status: int, message: str, **headers: str):
    abort(status, errors={"idempotency_key": [message]}, headers=headers)


def claim_or_replay(user_id: int) -> Response | None:
    """Before a write runs: claim its key (None: go on), or the first answer to send instead.

    Aborts with 422 for a malformed key or one naming another request, and with 409
    while the first request of the key is still running after waiting for it.
    """
    key = request.headers.get(HEADER)
    if key is None or request.method not in WRITE_METHODS:
        return None
    if not KEY_SHAPE.fullmatch(key):
        _refuse(422, _("Use from 1 to %(max)s visible ASCII characters, such as a UUID.", max=KEY_MAX))
    fingerprint = _fingerprint()
    deadline = time.monotonic() + current_app.config["API_IDEMPOTENCY_WAIT_SECONDS"]
    for _attempt in range(10_000):
        now = utcnow()
        claim_id = _insert_claim(user_id, key, fingerprint, now)
        if claim_id is not None:
            g.idempotency_claim = claim_id
            return None
        row = _stored(user_id, key)
        if row is None:
            continue  # given up a moment ago (the first one failed): claim it now
        if row.created_at <= now - KEY_LIFETIME:
            _forget(row.id, older_than=now - KEY_LIFETIME)  # expired, not pruned yet: a new request
            continue
        if row.fingerprint != fingerprint:
            _refuse(422, _("This key was used for another request in the last 24 hours: use a new key "
                           "for each request."))
        if row.status_code is not None:
            return _replay(row)
        if time.monotonic() >= deadline:
            _refuse(409, _("The first request with this key is still running: try again in a moment."),
                    **{"Retry-After": "1"})
        time.sleep(_POLL_SECONDS)
    _refuse(409, _("The first request with this key is still running: try again in a moment."),
            **{"Retry-After": "1"})


def remember(response: Response) -> Response:
    """After a write that claimed a key: keep its answer, or give the claim up (422, 5xx)."""
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is None:
        return response
    db.session.rollback()  # whatever the view left unfinished is not part of the answer
    if response.status_code == 422 or response.status_code >= 500:
        _forget(claim_id)
        return response
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    db.session.execute(
        sa.update(IdempotentRequest).where(IdempotentRequest.id == claim_id)
        .values(status_code=response.status_code, body=response.get_data(as_text=True), headers=headers)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return response


def release_unanswered(_error: BaseException | None = None) -> None:
    """At the end of a request: a claim no answer was kept for (an error after the view) is given up."""
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is not None:
        db.session.rollback()
        _forget(claim_id)


def prune(now: datetime | None = None) -> int:
    """Delete the keys older than a day (run by the periodic work); returns how many."""
    cutoff = (now or utcnow()) - KEY_LIFETIME
    deleted = db.session.execute(
        sa.delete(IdempotentRequest).where(IdempotentRequest.created_at <= cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return deleted
