"""An email's HTML as a browser can show it: its inline images (cid:) turned into data: addresses.

A mail program finds an image the HTML names by cid: among the message's parts; a
browser, showing the outbox copy to an organiser, cannot. The parts are made as the
delivery makes them (delivery.attachments_of), so the organiser sees what was sent.
"""

import base64
import re

from sqlalchemy.orm import Session

from eventsys.mail.delivery import attachments_of
from eventsys.mail.models import OutboundEmail

_CID = re.compile(r"""(["'])cid:([^"']+)\1""")


def html_as_shown(session: Session, email: OutboundEmail) -> str:
    """The rendered HTML with each cid: image it shows inlined as a data: URL (as it was, if none)."""
    html = email.html_body or ""
    if "cid:" not in html:
        return html
    images = {part.content_id: part for part in attachments_of(session, email) if part.content_id}

    def inlined(match: re.Match) -> str:
        part = images.get(match.group(2))
        if part is None:
            return match.group(0)  # gone with its registration: the alt text shows, as in a mail program
        data = base64.b64encode(part.data).decode("ascii")
        return f"{match.group(1)}data:{part.content_type};base64,{data}{match.group(1)}"

    return _CID.sub(inlined, html)
