"""Handing finished messages to the mail server (or to .eml files in the embedded default)."""

import smtplib
from contextlib import contextmanager
from pathlib import Path


class TemporaryFailure(Exception):
    """Worth trying again later: the server said 4xx, or could not be reached."""


class PermanentFailure(Exception):
    """Trying again will not help: the server said 5xx, or the address cannot be used."""


class ConnectionLost(TemporaryFailure):
    """The connection is gone; the rest of the batch must wait for a new one."""


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
        except smtplib.SMTPResponseException as refused:
            raise ConnectionLost(str(_classify(refused.smtp_code, refused.smtp_error))) from refused
        except (OSError, smtplib.SMTPException) as problem:
            raise ConnectionLost(f"cannot reach {config['MAIL_SERVER']}: {problem}") from problem
        return connection

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        """Send one message; raises TemporaryFailure, ConnectionLost or PermanentFailure."""
        if self.connection is None:
            self.connection = self._connect()
        try:
            refused = self.connection.sendmail(sender, [recipient], message)
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
        if refused:
            (code, text), = refused.values()
            raise _classify(code, text)

    def _reset(self) -> None:
        """After a refused message, clear the transaction so the next one starts clean."""
        try:
            self.connection.rset()
        except (OSError, smtplib.SMTPException):
            self.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None


class FileTransport:
    """The embedded default: each message becomes an .eml file to open with any mail program."""

    def __init__(self, config: dict):
        self.folder = Path(config["MAIL_FILE_DIR"])

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
