"""A certificate of attendance: one per registration that was checked in, issued when first asked for.

The row is what the reference printed on the PDF stands for; the PDF itself is not
kept, it is drawn again from the row on every download (the same words, the same name).
The unique registration_id makes issuing race-free: two downloads at once insert one
row, the loser reads the winner's. Anonymising the event blanks the names; the
reference, the masked name and the event stay, so the verification page keeps answering.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import db, utcnow
from eventsys.events.models import Event
from eventsys.registration.models import NAME_MAX, Registration

#: the longest reference (AC-2027-ABCDEF is 14): what the verification page looks up at most
REFERENCE_MAX = 32


class Certificate(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: one certificate per registration, whoever asks first and however often
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"),
                                                 unique=True)
    #: printed on the certificate and typed into the verification page, upper case
    reference: Mapped[str] = mapped_column(sa.String(REFERENCE_MAX), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the name certified, as registered when issued: a later correction does not change a printed one
    holder_name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    #: the name in Latin letters, when the registrant gave one ("" otherwise)
    holder_name_latin: Mapped[str] = mapped_column(sa.String(NAME_MAX), default="")
    #: the holder's name with most letters hidden, for the public verification page
    holder_masked: Mapped[str] = mapped_column(sa.String(NAME_MAX), default="")
    #: when anonymising the event blanked the names; the certificate still verifies
    erased_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration] = relationship()
