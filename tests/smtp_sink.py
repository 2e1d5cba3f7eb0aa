"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can be told to refuse."""

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.servers import free_port


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.sink.lock:
            self.sink.connections += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.sink.reject_addresses:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        with self.sink.lock:
            self.sink.attempts += 1
            if self.sink.refuse_every_other and self.sink.attempts % 2 == 1:
                return "451 4.3.0 Try again later"
            if self.sink.refuse_next > 0:
                self.sink.refuse_next -= 1
                return "451 4.3.0 Try again later"
            # An SMTPUTF8 message may carry UTF-8 headers (RFC 6532); parsed as bytes they would be mangled.
            content = envelope.content
            message = email.message_from_bytes(content, policy=email.policy.default) if content.isascii() \
                else email.message_from_string(content.decode("utf-8"), policy=email.policy.default)
            self.sink.messages.append(message)
            self.sink.envelopes.append((envelope.rcpt_tos, envelope.smtp_utf8))
            self.sink.raw.append(content)
        return "250 Message accepted"


class SmtpSink:
    """Messages received, as parsed EmailMessage objects, in the order they arrived."""

    def __init__(self, smtputf8: bool = False):
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        #: each accepted message's envelope recipients, and whether it was sent with SMTPUTF8
        self.envelopes: list[tuple[list[str], bool]] = []
        #: each accepted message as it came over the wire
        self.raw: list[bytes] = []
        self.connections = 0
        self.attempts = 0
        self.refuse_every_other = False
        #: this many next messages are refused with 451
        self.refuse_next = 0
        #: seconds to take over each message, to make a batch last long enough to interrupt
        self.delay = 0.0
        self.reject_addresses: set[str] = set()
        self.lock = threading.Lock()
        #: smtputf8=True offers SMTPUTF8 (RFC 6531); without it the server takes only ASCII addresses
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      enable_SMTPUTF8=smtputf8)

    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def config(self) -> dict:
        """App settings that send to this sink."""
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USERNAME": None,
            "MAIL_PASSWORD": None,
            "MAIL_DEFAULT_SENDER": "events@astro.example.edu",
        }

    def to(self, address: str) -> list[EmailMessage]:
        """Messages received for one recipient."""
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def recipients(self) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages]
