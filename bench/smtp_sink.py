"""The SMTP sink of bench/reminders.py: an aiosmtpd server in a process of its own that counts messages.

    .venv/bin/python bench/smtp_sink.py [--host 127.0.0.1]

It listens on two free loopback ports and prints one line, `READY <smtp port> <control port>`,
once both accept connections. Every message is accepted with 250 and reduced to what the
benchmark checks: its arrival time (time.time(), comparable across processes), its
Message-ID, its envelope recipients and its size. Nothing is parsed beyond the header
line of the Message-ID, so the sink costs as little CPU as aiosmtpd itself allows: it
shares the machine's cores with what is measured.

The control port speaks one command per line and answers one JSON line:

- `stats`: messages, bytes, distinct Message-IDs and recipients, duplicates of each (with a
  few examples), connections, the first and last arrival, and the sink's own CPU seconds;
- `recipients`: the sorted list of distinct envelope recipients;
- `save <path>`: write the messages received since the last reset to path, each as one JSON line
  (`from`, `to`, `size`) followed by its `size` bytes; read them back with read_saved(). (The sink
  keeps every message until the next reset for this, in every phase alike.)
- `reset`: forget everything received (between phases);
- `quit`: stop the sink.

It stops on SIGTERM or SIGINT as well.
"""

import argparse
import asyncio
import json
import re
import signal
import time
from collections import Counter

from aiosmtpd.smtp import SMTP

#: the Message-ID header, also when folded onto a continuation line
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(?:\r?\n[ \t]+)?(\S+)", re.IGNORECASE | re.MULTILINE)


class Received:
    """What arrived since the last reset."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.kept: list[tuple[str, list[str], bytes]] = []
        self.count = 0
        self.bytes = 0
        self.connections = 0
        self.first: float | None = None
        self.last: float | None = None
        self.message_ids: Counter[bytes] = Counter()
        self.recipients: Counter[str] = Counter()
        self.missing_message_id = 0

    def stats(self) -> dict:
        duplicate_ids = [(k.decode(errors="replace"), n) for k, n in self.message_ids.items() if n > 1]
        duplicate_recipients = [(k, n) for k, n in self.recipients.items() if n > 1]
        cpu = time.process_time()
        return {
            "messages": self.count,
            "bytes": self.bytes,
            "connections": self.connections,
            "first": self.first,
            "last": self.last,
            "distinct_message_ids": len(self.message_ids),
            "missing_message_id": self.missing_message_id,
            "duplicate_message_ids": sum(n - 1 for _, n in duplicate_ids),
            "distinct_recipients": len(self.recipients),
            "duplicate_recipients": sum(n - 1 for _, n in duplicate_recipients),
            "duplicate_examples": (duplicate_ids[:5], duplicate_recipients[:5]),
            "cpu_seconds": cpu,
            "now": time.time(),
        }


def save(messages: list[tuple[str, list[str], bytes]], path: str) -> int:
    with open(path, "wb") as out:
        for mail_from, rcpt_tos, content in messages:
            out.write(json.dumps({"from": mail_from, "to": rcpt_tos, "size": len(content)}).encode() + b"\n")
            out.write(content)
    return len(messages)


def read_saved(path) -> list[tuple[str, list[str], bytes]]:
    """The messages a `save` wrote: (envelope sender, envelope recipients, the message's bytes)."""
    messages = []
    with open(path, "rb") as saved:
        while line := saved.readline():
            head = json.loads(line)
            messages.append((head["from"], head["to"], saved.read(head["size"])))
    return messages


class Handler:
    def __init__(self, received: Received):
        self.received = received

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.received.connections += 1
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        self.received.connections += 1
        return f"250 {server.hostname}"

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        received = self.received
        content = envelope.content
        received.count += 1
        received.bytes += len(content)
        if received.first is None:
            received.first = now
        received.last = now
        end = content.find(b"\r\n\r\n")
        found = MESSAGE_ID.search(content, 0, end if end >= 0 else len(content))
        if found:
            received.message_ids[found.group(1)] += 1
        else:
            received.missing_message_id += 1
        for address in envelope.rcpt_tos:
            received.recipients[address.lower()] += 1
        received.kept.append((envelope.mail_from, list(envelope.rcpt_tos), content))
        return "250 Message accepted"


async def serve(host: str) -> None:
    loop = asyncio.get_running_loop()
    received = Received()
    handler = Handler(received)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    def smtp_protocol():
        # A fixed hostname: aiosmtpd would otherwise call socket.getfqdn() for every connection.
        return SMTP(handler, hostname="sink.bench.invalid", ident="bench sink", loop=loop,
                    data_size_limit=None)

    async def control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await answer_commands(reader, writer)
        except (asyncio.CancelledError, ConnectionError):  # the sink is stopping, or the bench went away
            pass
        finally:
            writer.close()

    async def answer_commands(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            command = line.decode().strip()
            if command == "stats":
                answer = received.stats()
            elif command == "recipients":
                answer = sorted(received.recipients)
            elif command.startswith("save "):
                answer = {"saved": save(received.kept, command[5:])}
            elif command == "reset":
                received.reset()
                answer = {"ok": True}
            elif command == "quit":
                stop.set()
                answer = {"ok": True}
            else:
                answer = {"error": f"unknown command {command!r}"}
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()

    smtp_server = await loop.create_server(smtp_protocol, host, 0)
    control_server = await asyncio.start_server(control, host, 0)
    smtp_port = smtp_server.sockets[0].getsockname()[1]
    control_port = control_server.sockets[0].getsockname()[1]
    print(f"READY {smtp_port} {control_port}", flush=True)
    await stop.wait()
    smtp_server.close()
    control_server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    asyncio.run(serve(args.host))


if __name__ == "__main__":
    main()
