"""The MIME message of a rendered outbox row, as it goes on the wire.

Built with the classic MIME classes and flattened once: the newer EmailMessage API
parses every header it is given and took a third of a worker's time per email.
Only the subject and the recipient need care: the subject is folded within 78
characters in any script, and a UTF-8 address is written as it is (RFC 6532).

The parts nest as mail programs expect, each level only when the message has it:
multipart/mixed [ multipart/related [ multipart/alternative [text, HTML], images the
HTML shows by cid: ], files attached, the calendar ]. An image inside the message is
shown where a remote one is blocked (Gmail and Outlook block those by default).
"""

import re
from email.charset import QP, Charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate

from flask import current_app

from eventsys.mail.kinds import Attachment
from eventsys.mail.models import OutboundEmail

#: UTF-8 bodies as quoted-printable: mostly readable, smaller than base64, and liked better by spam filters
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP

#: SMTP wants CRLF line ends, and smtplib sends bytes as they are. Folding every header costs more
#: than all the rest, and only the subject can be long: it is folded by _subject_line, nothing else is.
_WIRE = compat32.clone(linesep="\r\n", max_line_length=0)

#: RFC 5322: a header line SHOULD stay within 78 characters (and MUST within 998 bytes)
_LINE = 78

#: the iTIP method of a calendar (PUBLISH, CANCEL, REQUEST, ...), on its own line of the .ics text
_METHOD = re.compile(r"^METHOD:([A-Za-z-]+)\s*$", re.MULTILINE)


def _subject_line(subject: str) -> bytes:
    """The Subject header as it goes on the wire: folded within 78 characters, and encoded if not ASCII."""
    if "\r" in subject or "\n" in subject:
        raise ValueError("the subject has a line break")
    if subject.isascii() and len(subject) <= _LINE - len("Subject: "):
        return b"Subject: " + subject.encode() + b"\r\n"  # the usual subject: nothing to fold
    folded = None
    if subject.isascii():  # folded at its spaces, it stays readable in the raw message
        folded = Header(subject, "us-ascii", header_name="Subject").encode(linesep="\r\n", maxlinelen=_LINE)
        if max(len(line) for line in folded.split("\r\n")) > _LINE:
            folded = None  # a word too long to fold at a space
    if folded is None:  # encoded words, which can be split anywhere between characters
        folded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n", maxlinelen=_LINE)
    return b"Subject: " + folded.encode("ascii") + b"\r\n"


def calendar_method(ics: str) -> str:
    """The calendar's METHOD (CANCEL for a cancellation), which mail programs also want on the part."""
    found = _METHOD.search(ics)
    return found.group(1).upper() if found else "PUBLISH"


def _part(attachment: Attachment) -> MIMEBase:
    """One image or file, base64-encoded, named, and inline (shown by cid:) or attached."""
    maintype, _slash, subtype = attachment.content_type.partition("/")
    if maintype == "image":
        part = MIMEImage(attachment.data, subtype)
    else:
        part = MIMEApplication(attachment.data, subtype)
    # A name beyond ASCII goes as RFC 2231 (filename*=utf-8''...), which every mail program reads.
    filename = attachment.filename if attachment.filename.isascii() else ("utf-8", "", attachment.filename)
    if attachment.content_id is not None:
        part["Content-ID"] = f"<{attachment.content_id}>"
        part.add_header("Content-Disposition", "inline", filename=filename)
    else:
        part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def build_message(email: OutboundEmail, recipient: str | None = None,
                  attachments: list[Attachment] | tuple = ()) -> bytes:
    """The MIME message of a rendered row: text, HTML alternative, its images and files, and its calendar.

    recipient is the address as the transport will use it (IDNA domain, or UTF-8 with
    SMTPUTF8); the To header says the same. attachments are the kind's (EmailKind.attachments).
    """
    recipient = recipient or email.recipient
    if any(character in recipient for character in "\r\n"):
        raise ValueError("the recipient address has a line break")
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(email.text_body, "plain", _UTF8))
    body.attach(MIMEText(email.html_body, "html", _UTF8))
    shown = [attachment for attachment in attachments if attachment.content_id is not None]
    files = [attachment for attachment in attachments if attachment.content_id is None]
    if shown:
        related = MIMEMultipart("related")
        related.set_param("type", "multipart/alternative")  # RFC 2387: the type of its first part
        related.attach(body)
        for attachment in shown:
            related.attach(_part(attachment))
        body = related
    message = body
    if files or email.ics:
        message = MIMEMultipart("mixed")
        message.attach(body)
        for attachment in files:
            message.attach(_part(attachment))
    if email.ics:
        calendar = MIMEText(email.ics, "calendar", _UTF8)
        calendar.set_param("method", calendar_method(email.ics))
        calendar.add_header("Content-Disposition", "attachment", filename="event.ics")
        message.attach(calendar)
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    # Written as bytes, not through the classes: a UTF-8 address must stay as it is (RFC 6532),
    # where compat32 would make it an encoded word, which is not allowed in an address.
    to = b"To: " + recipient.encode() + b"\r\n"
    return _subject_line(email.subject) + to + message.as_bytes(policy=_WIRE)
