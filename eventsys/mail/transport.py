"""Handing finished messages to the mail server (or to .eml files in the embedded default).

Internationalised addresses: one whose local part is ASCII goes everywhere with its
domain written in ASCII (IDNA, "xn--"), which every server and every relay after it
accepts. Only a local part like "josé" needs SMTPUTF8 (RFC 6531); a server that does
not offer it cannot take such an address, and that one message fails with the reason.
"""

import smtplib
from contextlib import contextmanager
from pathlib import Path

from email_validator import EmailNotValidError, validate_email


class TemporaryFailure(Exception):
    """Worth trying again later: the server said 4xx, or could not be reached."""


class PermanentFailure(Exception):
    """Trying again will not help: the server said 5xx, or the address cannot be used."""


class ConnectionLost(TemporaryFailure):
    """The connection is gone; the rest of the batch must wait for a new one."""


#: why a message to an address like josé@example.org could not go to this server
NO_SMTPUTF8 = "the mail server does not accept non-ASCII addresses (SMTPUTF8)"


def ascii_address(address: str) -> str | None:
    """The address in ASCII, its domain as IDNA if need be; None when its local part is not ASCII."""
    if address.isascii():
        return address  # nearly every address: nothing to look up
    try:
        return validate_email(address, check_deliverability=False).ascii_email
    except EmailNotValidError as problem:
        raise PermanentFailure(f"not a usable address: {problem}") from None


def _classify(code: int, message: bytes | str) -> Exception:
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    reason = f"{code} {text}".strip()
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


class SmtpTransport:
    """One SMTP connection, reused for every message of a batch."""

    def __init__(self, config: dict):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        try:
            connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                                      timeout=config["MAIL_TIMEOUT_SECONDS"])
            if config["MAIL_USE_TLS"]:
                connection.starttls()
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            connection.ehlo_or_helo_if_needed()  # what the server offers (SMTPUTF8) is known from here on
        except smtplib.SMTPResponseException as refused:
            raise ConnectionLost(str(_classify(refused.smtp_code, refused.smtp_error))) from refused
        except (OSError, smtplib.SMTPException) as problem:
            raise ConnectionLost(f"cannot reach {config['MAIL_SERVER']}: {problem}") from problem
        return connection

    def address_for(self, recipient: str) -> str:
        """The recipient as this server can take it, for the envelope and the To header.

        Raises PermanentFailure when it cannot (a non-ASCII local part without
        SMTPUTF8), or ConnectionLost when the server cannot be reached to ask.
        """
        address = ascii_address(recipient)
        if address is not None:
            return address
        if self.connection is None:
            self.connection = self._connect()
        if not self.connection.has_extn("smtputf8"):
            raise PermanentFailure(NO_SMTPUTF8)
        return recipient

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        """Send one message; raises TemporaryFailure, ConnectionLost or PermanentFailure."""
        if self.connection is None:
            self.connection = self._connect()
        # A UTF-8 address (and the UTF-8 To header that goes with it) needs SMTPUTF8 (RFC 6531).
        options = [] if sender.isascii() and recipient.isascii() else ["SMTPUTF8"]
        if options and not self.connection.has_extn("smtputf8"):
            raise PermanentFailure(NO_SMTPUTF8)
        try:
            refused = self.connection.sendmail(sender, [recipient], message, mail_options=options)
        except smtplib.SMTPRecipientsRefused as problem:
            (code, text), = problem.recipients.values()
            raise _classify(code, text) from problem
        except smtplib.SMTPServerDisconnected as problem:
            self.connection = None
            raise ConnectionLost(f"connection lost: {problem}") from problem
        except smtplib.SMTPResponseException as problem:
            if problem.smtp_code in (421,):  # the server is closing the connection
                self.connection = None
                raise ConnectionLost(str(_classify(problem.smtp_code, problem.smtp_error))) from problem
            self._reset()
            raise _classify(problem.smtp_code, problem.smtp_error) from problem
        except (TimeoutError, OSError) as problem:
            self.connection = None
            raise ConnectionLost(f"connection lost: {problem}") from problem
        except Exception as problem:
            # Something smtplib did not expect (an address it cannot encode, ...): the server may be
            # in the middle of a transaction, so the next message gets a fresh connection.
            self._drop()
            raise PermanentFailure(f"could not send: {problem!r}") from problem
        if refused:
            (code, text), = refused.values()
            raise _classify(code, text)

    def _reset(self) -> None:
        """After a refused message, clear the transaction so the next one starts clean."""
        try:
            self.connection.rset()
        except (OSError, smtplib.SMTPException):
            self.connection = None

    def _drop(self) -> None:
        """Hang up without a word: after an unexpected error, QUIT could be read as part of a message."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except Exception:  # noqa: BLE001 - closing a connection that may be broken already
                self.connection.close()
            self.connection = None


class FileTransport:
    """The embedded default: each message becomes an .eml file to open with any mail program."""

    def __init__(self, config: dict):
        self.folder = Path(config["MAIL_FILE_DIR"])

    def address_for(self, recipient: str) -> str:
        """A file takes any address as it is."""
        return recipient

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        """Write the message as <Message-ID>.eml."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message_id.strip("<>").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(message)

    def close(self) -> None:
        pass


@contextmanager
def open_transport(config: dict):
    """SMTP when MAIL_SERVER is set, else .eml files under MAIL_FILE_DIR; closed afterwards."""
    transport = SmtpTransport(config) if config.get("MAIL_SERVER") else FileTransport(config)
    try:
        yield transport
    finally:
        transport.close()
