"""The links in a speaker's invitation email: signed, expiring, and naming the round they were sent for."""

from typing import NamedTuple

from eventsys import tokens
from eventsys.database import db
from eventsys.speakers.invitations import INVITATION_VALIDITY, round_stamp
from eventsys.speakers.models import Engagement

#: the token is made when the email is rendered, after the invitation, so this never cuts a valid one;
#: the stored expiry is the exact limit, this one the ceiling should a row ever be edited
LINK_MAX_AGE = INVITATION_VALIDITY
#: the purpose the invitation links are signed for
TOKEN_PURPOSE = "invitation"


class InvitationLink(NamedTuple):
    """What an invitation link names: the engagement, and the round of it the email was sent for."""

    engagement_id: int
    #: round_stamp() of the invitation when the link was made; None in links made before rounds were signed
    round: str | None


def invitation_token(engagement_id: int) -> str:
    """The signed token of the speaker's invitation link; made when the email is rendered, never stored.

    It names the round: once the invitation is renewed, a link from an earlier email
    answers nothing (the speaker could otherwise accept a round the organisers replaced).
    """
    engagement = db.session.get(Engagement, engagement_id)  # loaded already by the email's context
    return tokens.make_token(TOKEN_PURPOSE, {"engagement": engagement_id, "round": round_stamp(engagement)})


def link_from_token(token: str) -> InvitationLink:
    """The engagement and round a token names; raises tokens.InvalidToken or tokens.ExpiredToken."""
    payload = tokens.read_token(TOKEN_PURPOSE, token, LINK_MAX_AGE)
    round_ = payload.get("round") if isinstance(payload, dict) else None
    return InvitationLink(_engagement_id_in(payload), round_ if isinstance(round_, str) else None)


def engagement_id_in_expired(expired: tokens.ExpiredToken) -> int:
    """The engagement a genuine but expired invitation token names."""
    return _engagement_id_in(expired.payload)


def _engagement_id_in(payload) -> int:
    """The engagement id in a token's payload; a payload of another shape is no invitation."""
    engagement_id = payload.get("engagement") if isinstance(payload, dict) else None
    if not isinstance(engagement_id, int):
        raise tokens.InvalidToken("This link is not valid.")
    return engagement_id
