"""Reminder delivery of eventsys (beat + Celery workers on Redis) against a plain smtplib loop.

    .venv/bin/python bench/reminders.py [--emails N] [--pools prefork:2,prefork:4,threads:4]

One run:
 1. drops and recreates the PostgreSQL database eventsys_bench_reminders, migrates it with
    `flask db upgrade`, and inserts in bulk (SQL) one published in-person event starting in
    23 hours, so its 1-day reminder is due (its 7-day one is recorded as skipped), with N
    confirmed registrations created 5 days ago;
 2. starts the SMTP sink (bench/smtp_sink.py, aiosmtpd) in a process of its own and warms it up
    with N messages of its own; both phases send to it, and it counts messages, Message-IDs and
    recipients to find duplicates;
 3. eventsys phase, once per worker pool given in --pools: flushes its Redis database, starts
    `celery -A worker worker -Q default,mail -P <pool> -c <n>` and `celery -A worker beat` as
    processes of their own, then sends the beat task eventsys.reminders.queue_due_reminders
    itself (as `celery call` would; beat's own first run would come only after 60 s). It
    times the queueing (trigger until the ReminderRun with its outbox rows is committed) and
    the delivery (until the sink has received N messages), then checks: N messages, N distinct
    recipients and Message-IDs, no duplicate, every outbox row `sent`. Between pools the
    outbox and the reminder runs are emptied, so each pool sends the same N reminders;
 4. baseline phase: the same N messages, built beforehand as EmailMessages (standard library,
    not eventsys's code) from the subjects, bodies and Message-IDs eventsys stored in the outbox,
    sent by one smtplib.SMTP connection in a loop of send_message(); only the loop is timed. For
    comparison, the very bytes eventsys sent (saved by the sink in the first pool's phase) are
    then sent with sendmail() the same way;
 5. prints emails/s of each, the ratio eventsys/baseline against the target (>= 0.7x; the first
    pool is the headline) and the CPU each process used per email (the worker with its pool
    processes, beat, the sink, PostgreSQL (its own processes and the backends of this database),
    the Redis server, this script), and writes
    bench/results/reminders-<timestamp>.json;
 6. stops the sink, workers and beat, drops the database and flushes its Redis database, also
    on errors and Ctrl-C.

emails/s of eventsys = N / (last message at the sink - trigger): queueing and delivery both count.

Exit status: 0 when every check passed; 2 when another run holds this benchmark's PostgreSQL
advisory lock; 1 otherwise. The target is reported, not enforced.

Options: --emails, --pools, --redis, --redis-db, --pg, --timeout, --profile (py-spy on the worker,
summarised by bench/reminders_profile.py), --celery-app, --keep-database; see --help.
"""

import argparse
import json
import os
import platform
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registration import (  # noqa: E402  (the helpers of the registration benchmark, shared)
    RUN_LOCK_KEY as REGISTRATION_RUN_LOCK_KEY,
)
from registration import (  # noqa: E402
    checkpoint,
    code_state,
    db_url,
    drop_database,
    log,
    machine_busy_percent,
    recreate_database,
)
from smtp_sink import read_saved  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = BENCH / "results"

DATABASE = "eventsys_bench_reminders"
SECRET_KEY = "x"
SENDER = "events@bench.example.edu"
BASE_URL = "https://events.bench.example.edu"
TARGET = 0.7
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REMINDER_TASK = "eventsys.reminders.queue_due_reminders"
#: the reminder that falls due: 1 day before the start (the default offsets are 7 days and 1 day)
OFFSET_MINUTES = 24 * 60
#: pg_advisory_lock key held for a whole run ("remnd"); bench/registration.py has a lock of its own
RUN_LOCK_KEY = 0x72656D6E64
#: set in our Redis database, so a database someone else uses is never flushed
REDIS_MARKER = "eventsys-bench-reminders"


# --- small helpers -----------------------------------------------------------------------------------


def take_run_lock(server: str) -> psycopg.Connection | None:
    """A connection holding this benchmark's run lock, or None when another run holds it."""
    conn = psycopg.connect(db_url(server, "postgres"), autocommit=True, connect_timeout=10)
    if conn.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,)).fetchone()[0]:
        return conn
    conn.close()
    return None


def registration_bench_running(lock_conn: psycopg.Connection) -> bool:
    """Whether bench/registration.py holds its run lock (read from pg_locks, without taking it)."""
    key = REGISTRATION_RUN_LOCK_KEY
    return lock_conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
        "AND objid = %s AND objsubid = 1 AND granted)",
        (key >> 32, key & 0xFFFFFFFF),
    ).fetchone()[0]


def app_env(database_url: str, redis_url: str, smtp_port: int) -> dict[str, str]:
    """The environment of the worker, beat and `flask` processes."""
    dropped = {"DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
               "MAIL_USE_TLS", "MAIL_DEFAULT_SENDER", "BASE_URL", "SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("MAIL_")}
    env.update(
        DATABASE_URL=database_url, REDIS_URL=redis_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port),
        MAIL_DEFAULT_SENDER=SENDER, BASE_URL=BASE_URL, SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1",
    )
    return env


def migrate(database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MAIL_SERVER", "DATABASE_URL"}}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY)
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "eventsys", "db", "upgrade"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=180,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"flask db upgrade failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def parse_pools(text: str) -> list[tuple[str, int]]:
    pools = []
    for item in text.split(","):
        name, _, count = item.strip().partition(":")
        if name not in {"threads", "prefork", "solo"} or not count.isdigit() or int(count) < 1:
            raise argparse.ArgumentTypeError(f"{item!r}: expected threads:N, prefork:N or solo:1")
        pools.append((name, int(count)))
    return pools


# --- CPU accounting (Linux /proc) --------------------------------------------------------------------


def _process_table() -> dict[int, tuple[int, int, str, int]]:
    """pid -> (CPU ticks including reaped children, parent pid, command name, CPU ticks of its own),
    for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                raw = stat.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        table[int(entry)] = (sum(int(v) for v in fields[11:15]), int(fields[1]), name,
                             sum(int(v) for v in fields[11:13]))
    return table


def _tree(table: dict, root: int) -> set[int]:
    pids, grew = {root} if root in table else set(), True
    while grew:
        grew = False
        for pid, (_, parent, _, _) in table.items():
            if parent in pids and pid not in pids:
                pids.add(pid)
                grew = True
    return pids


def redis_server_pid(port: int) -> int | None:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "redis-server" in cmdline and f":{port}" in cmdline:
                return int(entry)
    return None


def _our_postgres(pid: int) -> bool:
    """The server's own processes (postmaster, checkpointer, WAL writer, ...) and the backends of our
    database; backends of other databases belong to someone else's work and count as `other`."""
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    client_backend = "(" in title or "[local]" in title
    return not client_backend or f" {DATABASE} " in title


def cpu_snapshot(groups: dict[str, int | None]) -> dict:
    """CPU ticks of each named process tree, of this process alone (`bench`: its children are counted
    in their own groups), of all postgres processes and of the whole machine."""
    table = _process_table()
    snapshot = {name: sum(table[p][0] for p in _tree(table, pid)) if pid else 0
                for name, pid in groups.items()}
    own = os.times()
    snapshot["bench"] = round((own.user + own.system) * os.sysconf("SC_CLK_TCK"))
    # Own ticks only: the postmaster's reaped children are the backends of every database.
    snapshot["postgres"] = sum(own for pid, (_, _, name, own) in table.items()
                               if name.startswith("postgres") and _our_postgres(pid))
    with open("/proc/stat") as stat:
        machine = [int(v) for v in stat.readline().split()[1:]]
    snapshot["machine_idle"] = machine[3] + machine[4]
    snapshot["machine_total"] = sum(machine[:8])
    return snapshot


def cpu_usage(before: dict, after: dict, emails: int, elapsed: float) -> dict:
    """CPU ms per email of each process group, how busy the machine was, and the cores anything else took."""
    hz = os.sysconf("SC_CLK_TCK")
    cores = os.cpu_count() or 1
    total = after["machine_total"] - before["machine_total"]
    idle = after["machine_idle"] - before["machine_idle"]
    busy_cores = cores * (total - idle) / total if total else 0.0
    seconds = {name: (after[name] - before[name]) / hz for name in before
               if name not in {"machine_idle", "machine_total"}}
    return {
        "cpu_ms_per_email": {name: round(1000 * s / emails, 3) for name, s in seconds.items()},
        "cores_busy": {name: round(s / elapsed, 3) for name, s in seconds.items()},
        "machine_busy_percent": round(100 * busy_cores / cores, 1),
        "other_cores_busy": round(max(busy_cores - sum(seconds.values()) / elapsed, 0.0), 3),
    }


# --- processes ---------------------------------------------------------------------------------------


class Process:
    """A child process in a session of its own, its output in a file; stopped by pid (TERM, then KILL)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_path: Path):
        self.name, self.log_path = name, log_path
        self.log_file = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        self.pid = self.process.pid

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def wait_for_output(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while pattern not in self.output():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: no {pattern!r} within {timeout:.0f}s:\n{self.tail()}")
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        if self.process.poll() is None:
            children = _tree(_process_table(), self.pid) - {self.pid}
            try:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
            for pid in children:  # prefork children the TERM did not end (they were ours)
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self.log_file.close()


def warm_sink(sink: "Sink", count: int) -> None:
    """Send count messages of a reminder's size through the sink once: a fresh sink process spends
    about 20 % more CPU per message on its first 10,000 (its heap grows), which would handicap the
    first phase measured."""
    body = b"\r\n".join([b"x" * 76] * 36)
    connection = smtplib.SMTP("127.0.0.1", sink.smtp_port, timeout=30)
    try:
        for n in range(count):
            head = f"Subject: warm-up\r\nMessage-ID: <warm.{n}@bench.invalid>\r\n\r\n".encode()
            connection.sendmail(SENDER, [f"sink-warm-{n}@example.org"], head + body + b"\r\n")
    finally:
        connection.quit()
    sink.reset()


class Sink:
    """bench/smtp_sink.py in a process of its own, and a connection to its control port."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.process = subprocess.Popen(
            [sys.executable, str(BENCH / "smtp_sink.py")], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=open(log_path, "wb"), stdin=subprocess.DEVNULL, start_new_session=True,  # noqa: SIM115
        )
        self.pid = self.process.pid
        ready = self.process.stdout.readline().decode().split()
        if len(ready) != 3 or ready[0] != "READY":
            self.stop()
            raise RuntimeError(
                f"the SMTP sink did not start: {ready!r}\n{log_path.read_text(errors='replace')}"
            )
        self.smtp_port, control_port = int(ready[1]), int(ready[2])
        self.control = socket.create_connection(("127.0.0.1", control_port), timeout=30)
        self.reader = self.control.makefile("rb")

    def ask(self, command: str):
        self.control.sendall(command.encode() + b"\n")
        return json.loads(self.reader.readline())

    def stats(self) -> dict:
        return self.ask("stats")

    def reset(self) -> None:
        self.ask("reset")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_worker(env: dict, app: str, pool: str, concurrency: int, name: str, log_path: Path) -> Process:
    command = [str(VENV_BIN / "celery"), "-A", app, "worker", "-Q", "default,mail", "-P", pool,
               "-c", str(concurrency), "-n", f"{name}@localhost", "--loglevel=INFO"]
    return Process(f"worker {pool}:{concurrency}", command, env, log_path)


def start_beat(env: dict, app: str, schedule: Path, log_path: Path) -> Process:
    command = [str(VENV_BIN / "celery"), "-A", app, "beat", "-s", str(schedule), "--loglevel=INFO"]
    return Process("beat", command, env, log_path)


def profile_worker(worker: Process, duration: int, output: Path) -> subprocess.Popen:
    """py-spy (from .venv) sampling the worker and its pool processes, without pausing them."""
    return subprocess.Popen(
        [str(VENV_BIN / "py-spy"), "record", "--pid", str(worker.pid), "--subprocesses", "--nonblocking",
         "--rate", "100", "--duration", str(duration), "--format", "raw", "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )


# --- the data ----------------------------------------------------------------------------------------


MAIN_EVENT, WARMUP_EVENT = "bench-reminders", "bench-warmup"


def create_events(database_url: str, emails: int, warmup: int) -> dict[str, int]:
    """The measured event with `emails` confirmed registrations and the warm-up event with `warmup`, both
    starting in 23 hours; the measured one stays a draft (no reminder due) until the warm-up is over."""
    now = datetime.now(UTC).replace(microsecond=0)
    starts = now + timedelta(hours=23)
    long_ago = now - timedelta(days=10)
    registered = now - timedelta(days=5)
    ids = {}
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        for slug, count, prefix in ((MAIN_EVENT, emails, "bench"), (WARMUP_EVENT, warmup, "warm")):
            if not count:
                continue
            (ids[slug],) = conn.execute(
                """
                INSERT INTO event (slug, kind, mode, title, summary, description, starts_at, ends_at,
                                   timezone, venue, capacity, status, language, confirmed_count,
                                   waitlisted_count, waitlist_seq, created_at, updated_at)
                VALUES (%(slug)s, 'conference', 'in_person',
                        'International Conference on Benchmarking Reminder Delivery', 'A benchmark event.',
                        'Reminders for every registrant.', %(starts)s, %(ends)s, 'Asia/Shanghai',
                        'Main hall, School of Astronautics', %(n)s, 'published', 'en', %(n)s, 0, 0,
                        %(long_ago)s, %(long_ago)s)
                RETURNING id
                """,
                {"slug": slug, "starts": starts, "ends": starts + timedelta(days=2), "n": count,
                 "long_ago": long_ago},
            ).fetchone()
            conn.execute(
                """
                INSERT INTO registration (event_id, name, email, email_key, affiliation, country, category,
                                          answers, status, token, checkin_code, locale, created_at,
                                          consented_at)
                SELECT %(event)s, 'Bench Person ' || n, %(prefix)s || '-' || n || '@example.org',
                       -- registration/mailboxes.py's key of such a plain address: its SHA-256
                       encode(sha256(convert_to(%(prefix)s || '-' || n || '@example.org', 'UTF8')), 'hex'),
                       'University ' || (n %% 97), 'RU', 'faculty', '{}', 'confirmed',
                       md5(%(prefix)s || '-token-' || n),
                       -- a check-in code unique within the event, of the 8 characters the real ones have
                       upper(substr(md5(%(prefix)s || '-code-' || n), 1, 8)), 'en', %(at)s, %(at)s
                FROM generate_series(1, %(n)s) AS n
                """,
                {"event": ids[slug], "n": count, "at": registered, "prefix": prefix},
            )
        conn.execute("ANALYZE")
    return ids


def reset_outbox(database_url: str, main_event: int, main_status: str) -> None:
    """Forget every reminder sent, so the next worker sends them all again."""
    with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("TRUNCATE outbound_email, reminder_run")
        conn.execute("UPDATE event SET status = %s WHERE id = %s", (main_status, main_event))
        conn.execute("VACUUM ANALYZE")


def outbox_states(conn: psycopg.Connection, event_id: int) -> dict[str, int]:
    return dict(conn.execute(
        "SELECT state, count(*) FROM outbound_email WHERE event_id = %s GROUP BY state", (event_id,)
    ).fetchall())


def committed_reminder_run(conn: psycopg.Connection, event_id: int):
    """(emails queued, task start) of the event's 1-day reminder, once its transaction has committed."""
    return conn.execute(
        "SELECT queued, created_at FROM reminder_run WHERE event_id = %s AND offset_minutes = %s "
        "AND queued > 0", (event_id, OFFSET_MINUTES),
    ).fetchone()


def failures(conn: psycopg.Connection, event_id: int) -> str | None:
    """How many of the event's emails failed, and one reason, if any did."""
    count, reason = conn.execute(
        "SELECT count(*), min(last_error) FROM outbound_email WHERE event_id = %s AND state = 'failed'",
        (event_id,),
    ).fetchone()
    return f"{count} emails failed, for example: {reason}" if count else None


def wait_until(condition, timeout: float, what: str, worker: "Process", interval: float = 0.1,
               broken=None):
    """condition()'s first truthy answer; fails after timeout, when the worker exits or when broken()
    has something to say."""
    deadline = time.monotonic() + timeout
    while not (answer := condition()):
        if not worker.alive():
            raise RuntimeError(f"the worker exited while waiting for {what}:\n{worker.tail()}")
        if broken is not None and (problem := broken()):
            raise RuntimeError(f"while waiting for {what}: {problem}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} within {timeout:.0f}s")
        time.sleep(interval)
    return answer


def build_messages(database_url: str, event_id: int) -> list[EmailMessage]:
    """The messages eventsys sent to the event's registrants, built again with the standard library
    from the subjects and bodies eventsys rendered into the outbox: the same headers, parts and
    Message-IDs, independent of how eventsys itself builds them."""
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT recipient, subject, text_body, html_body, message_id, ics FROM outbound_email "
            "WHERE state = 'sent' AND event_id = %s ORDER BY id", (event_id,),
        ).fetchall()
    messages = []
    for recipient, subject, text_body, html_body, message_id, ics in rows:
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = SENDER
        message["To"] = recipient
        message["Message-ID"] = message_id
        message["Date"] = formatdate()
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text_body)
        message.add_alternative(html_body, subtype="html")
        if ics:
            message.add_attachment(ics.encode(), maintype="text", subtype="calendar", filename="event.ics",
                                   params={"method": "PUBLISH"})
        messages.append(message)
    return messages


# --- the phases --------------------------------------------------------------------------------------


SINK_FIELDS = ("messages", "distinct_recipients", "distinct_message_ids", "missing_message_id",
               "duplicate_message_ids", "duplicate_recipients", "duplicate_examples")


def sink_checks(stats: dict, expected: int) -> dict:
    checks = {
        "messages": stats["messages"] == expected,
        "distinct_recipients": stats["distinct_recipients"] == expected,
        "distinct_message_ids": stats["distinct_message_ids"] == expected,
        "no_duplicates": stats["duplicate_message_ids"] == 0 and stats["duplicate_recipients"] == 0,
    }
    return {"pass": all(checks.values()), **checks}


def run_eventsys(args, stamp: str, pool: str, concurrency: int, database_url: str, redis_url: str,
                 sink: Sink, groups: dict, workdir: Path, events: dict[str, int],
                 save_to: Path | None = None) -> dict:
    """One pool: worker + beat, the warm-up, then the measured reminders; save_to: where the sink
    writes the messages it received (envelope and bytes), for the baseline's comparison."""
    label = f"{pool}:{concurrency}"
    tag = f"{pool}{concurrency}"
    main = events[MAIN_EVENT]
    redis_db = redis.Redis.from_url(redis_url)
    redis_db.flushdb()
    redis_db.set(REDIS_MARKER, stamp)
    reset_outbox(database_url, main, "draft" if args.warmup else "published")
    sink.reset()
    env = app_env(database_url, redis_url, sink.smtp_port)
    processes = []
    profiler = client = None
    try:
        worker = start_worker(env, args.celery_app, pool, concurrency, f"bench-reminders-{stamp}-{tag}",
                              RESULTS / f"reminders-{stamp}-{tag}-worker.log")
        processes.append(worker)
        beat = start_beat(env, args.celery_app, workdir / f"beat-schedule-{tag}",
                          RESULTS / f"reminders-{stamp}-{tag}-beat.log")
        processes.append(beat)
        worker.wait_for_output(" ready.", 60)
        beat.wait_for_output("beat: Starting", 60)

        from celery import Celery

        client = Celery("bench-trigger", broker=redis_url, set_as_current=False)
        client.conf.broker_connection_timeout = 5
        with client.connection_for_write() as connection, \
                psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
            connection.ensure_connection(max_retries=3)
            if args.warmup:
                # A worker runs for days: its first batches (imports, template compilation, statement
                # caches, new connections) are not what 10,000 reminders cost.
                warm = events[WARMUP_EVENT]
                client.send_task(REMINDER_TASK, queue="default", connection=connection)
                wait_until(lambda: outbox_states(conn, warm) == {"sent": args.warmup}, args.timeout,
                           f"{args.warmup} warm-up reminders sent", worker,
                           broken=lambda: failures(conn, warm))
                conn.execute("UPDATE event SET status = 'published' WHERE id = %s", (main,))
                time.sleep(0.5)
                sink.reset()
            checkpoint(args.pg)
            time.sleep(1.0)
            if args.profile:
                profile_path = RESULTS / f"reminders-{stamp}-{tag}.pyspy.txt"
                profiler = profile_worker(worker, int(args.timeout), profile_path)
                time.sleep(1.0)
            groups = {**groups, "worker": worker.pid, "beat": beat.pid}
            cpu0 = cpu_snapshot(groups)
            t_trigger = time.time()
            client.send_task(REMINDER_TASK, queue="default", connection=connection)
            queued, task_started = wait_until(lambda: committed_reminder_run(conn, main), args.timeout,
                                              "committed reminder run", worker, interval=0.01)
            t_queued = time.time()
            log(f"eventsys {label}: {queued} reminders queued {t_queued - t_trigger:.2f}s after the trigger")
            wait_until(lambda: sink.stats()["messages"] >= args.emails, args.timeout,
                       f"{args.emails} messages at the sink", worker, broken=lambda: failures(conn, main))
            cpu1 = cpu_snapshot(groups)
            t_done = time.time()
            try:
                wait_until(lambda: outbox_states(conn, main) == {"sent": args.emails}, 30,
                           "outbox rows all sent", worker)
            except RuntimeError as problem:
                log(f"eventsys {label}: {problem}")
            states = outbox_states(conn, main)
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
                profiler.wait(timeout=60)
                profiler = None
        time.sleep(1.0)  # anything sent twice would arrive now
        final = sink.stats()
        expected = sorted(f"bench-{n}@example.org" for n in range(1, args.emails + 1))
        recipients_match = sink.ask("recipients") == expected
        if save_to is not None:
            sink.ask(f"save {save_to}")
        beat_sent = beat.output().count("Sending due task")
    finally:
        if profiler is not None and profiler.poll() is None:
            profiler.kill()
            profiler.wait(timeout=10)
        if client is not None:
            client.close()
        for process in reversed(processes):
            process.stop()
    end_to_end = final["last"] - t_trigger
    delivery = final["last"] - t_queued
    checks = sink_checks(final, args.emails)
    checks["outbox_all_sent"] = states == {"sent": args.emails}
    checks["queued"] = queued == args.emails
    checks["recipients_are_the_registrants"] = recipients_match
    checks["pass"] = all(checks.values())
    result = {
        "pool": pool,
        "concurrency": concurrency,
        "emails": final["messages"],
        "emails_per_second": args.emails / end_to_end,
        "end_to_end_seconds": end_to_end,
        "queue_seconds": t_queued - t_trigger,
        "task_started_after_seconds": task_started.timestamp() - t_trigger,
        "first_message_after_seconds": final["first"] - t_trigger,
        "delivery_seconds": delivery,
        "delivery_emails_per_second": args.emails / delivery if delivery > 0 else None,
        "smtp_connections": final["connections"],
        "beat_tasks_sent": beat_sent,
        "bytes_received": final["bytes"],
        "outbox_states": states,
        "sink": {k: final[k] for k in SINK_FIELDS},
        "checks": checks,
        **cpu_usage(cpu0, cpu1, args.emails, t_done - t_trigger),
    }
    if args.profile:
        result["profile"] = str(profile_path.relative_to(ROOT))
    return result


def run_baseline(args, database_url: str, sink: Sink, groups: dict, event_id: int, sent: Path) -> dict:
    """The smtplib loop: send_message() of EmailMessages built beforehand (the reference of the ratio),
    then, for comparison, sendmail() of the very bytes eventsys sent (saved by the sink)."""
    messages = build_messages(database_url, event_id)
    if len(messages) != args.emails:
        raise RuntimeError(f"the outbox holds {len(messages)} sent messages, not {args.emails}")
    flattened = read_saved(sent)
    if len(flattened) != args.emails:
        raise RuntimeError(f"the sink saved {len(flattened)} messages, not {args.emails}")
    variants = {}
    for variant in ("send_message", "sendmail_bytes"):
        sink.reset()
        connection = smtplib.SMTP("127.0.0.1", sink.smtp_port, timeout=30)
        try:
            cpu0 = cpu_snapshot(groups)
            started = time.perf_counter()
            if variant == "send_message":
                for message in messages:
                    connection.send_message(message)
            else:
                for sender, recipients, data in flattened:
                    connection.sendmail(sender, recipients, data)
            elapsed = time.perf_counter() - started
            cpu1 = cpu_snapshot(groups)
        finally:
            connection.quit()
        time.sleep(0.5)
        final = sink.stats()
        variants[variant] = {
            "emails": final["messages"],
            "emails_per_second": len(messages) / elapsed,
            "seconds": elapsed,
            "bytes_received": final["bytes"],
            "sink": {k: final[k] for k in SINK_FIELDS},
            "checks": sink_checks(final, args.emails),
            **cpu_usage(cpu0, cpu1, args.emails, elapsed),
        }
    return {**variants["send_message"], "sendmail_bytes": variants["sendmail_bytes"]}


# --- main --------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--emails", type=int, default=10_000, help="confirmed registrations, so reminders")
    parser.add_argument("--pools", type=parse_pools, default=parse_pools("prefork:2,prefork:4,threads:4"),
                        help="worker pools to measure one after the other, as pool:concurrency,...; "
                             "the first is the headline figure")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server URL (loopback only)")
    parser.add_argument("--redis-db", type=int, default=12,
                        help="Redis database of this benchmark: flushed before each phase and at the end; "
                             "refused when it holds keys this benchmark did not put there")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without database (loopback only)")
    parser.add_argument("--warmup", type=int, default=500,
                        help="reminders of a warm-up event that each worker sends before the measurement "
                             "(0: none)")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds allowed for one eventsys phase")
    parser.add_argument("--profile", action="store_true",
                        help="sample the worker with py-spy (.venv) during each eventsys phase; figures made "
                             "this way are slower and are not for the table")
    parser.add_argument("--celery-app", default="worker",
                        help="the Celery app of the worker and beat (`celery -A`); another module, found "
                             "through PYTHONPATH, can try out a change to eventsys without editing it")
    parser.add_argument("--keep-database", action="store_true", help="leave the database for inspection")
    args = parser.parse_args(argv)
    for url, name in ((args.pg, "--pg"), (args.redis, "--redis")):
        if urlsplit(url).hostname not in LOOPBACK:
            parser.error(f"{name} must point at a loopback address")
    if args.emails < 1 or args.warmup < 0:
        parser.error("--emails must be at least 1 and --warmup not negative")
    return args


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = db_url(args.pg, DATABASE)
    redis_url = f"{args.redis.rstrip('/')}/{args.redis_db}"
    try:
        run_lock = take_run_lock(args.pg)
    except psycopg.Error as problem:
        log(f"FAILED: cannot reach PostgreSQL at {args.pg}: {problem}")
        return 1
    if run_lock is None:
        log("another bench/reminders.py run holds the PostgreSQL run lock; try again when it ends")
        return 2
    redis_db = redis.Redis.from_url(redis_url, socket_connect_timeout=5)
    sink = None
    database_created = False
    exit_code = 1
    code_before = code_state()
    try:
        keys = redis_db.dbsize()
        if keys and not redis_db.exists(REDIS_MARKER):
            log(f"FAILED: Redis database {args.redis_db} holds {keys} keys this benchmark did not write; "
                "choose another with --redis-db")
            return 1
        log(f"eventsys at {code_before['commit']}, digest {code_before['digest']}"
            + (f", uncommitted changes in {len(code_before['uncommitted'])} file(s)"
               if code_before["uncommitted"] else ""))
        busy = machine_busy_percent(1.0)
        if busy is not None and busy > 15:
            log(f"note: the machine is {busy:.0f}% busy before the run; "
                "another workload may skew the figures")
        registration_running = registration_bench_running(run_lock)
        if registration_running:
            log("note: bench/registration.py is running at the same time; both share the CPUs")
        log(f"recreating database {DATABASE}")
        recreate_database(args.pg, DATABASE)
        database_created = True
        migrate(database_url)
        events = create_events(database_url, args.emails, args.warmup)
        log(f"{args.emails} confirmed registrations (and {args.warmup} for the warm-up) for an event "
            "starting in 23 hours")
        sink = Sink(RESULTS / f"reminders-{stamp}-sink.log")
        warm_sink(sink, args.emails)
        redis_pid = redis_server_pid(urlsplit(args.redis).port or 6379)
        groups = {"sink": sink.pid, "redis": redis_pid}
        results = []
        with tempfile.TemporaryDirectory(prefix="bench-reminders-") as workdir:
            for pool, concurrency in args.pools:
                log(f"eventsys {pool}:{concurrency}: worker + beat, trigger, {args.emails} reminders")
                save_to = Path(workdir) / "sent.bin" if not results else None
                result = run_eventsys(args, stamp, pool, concurrency, database_url, redis_url, sink, groups,
                                      Path(workdir), events, save_to)
                results.append(result)
                log(summary_eventsys(result))
            registration_running = registration_running or registration_bench_running(run_lock)
            log(f"baseline: one smtplib connection, {args.emails} messages built beforehand")
            checkpoint(args.pg)
            baseline = run_baseline(args, database_url, sink, groups, events[MAIN_EVENT],
                                    Path(workdir) / "sent.bin")
        log(summary_baseline(baseline))
        code_after = code_state()
        report = build_report(args, stamp, results, baseline, database_url)
        report["machine"]["busy_percent_before_run"] = busy
        report["machine"]["registration_bench_running"] = registration_running
        changed = code_after["digest"] != code_before["digest"]
        report["eventsys_code"] = {**code_before, "changed_during_run": changed}
        print_report(report)
        if args.profile:
            from reminders_profile import summary

            for result in results:
                print()
                print(summary(ROOT / result["profile"], top=15))
        path = RESULTS / f"reminders-{stamp}.json"
        path.write_text(json.dumps(report, indent=2, default=str) + "\n")
        log(f"results written to {path.relative_to(ROOT)}")
        passed = (all(r["checks"]["pass"] for r in results) and baseline["checks"]["pass"]
                  and baseline["sendmail_bytes"]["checks"]["pass"])
        exit_code = 0 if passed else 1
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        exit_code = 130
    except Exception as problem:
        log(f"FAILED: {problem}")
        exit_code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        if sink is not None:
            sink.stop()
        try:
            if redis_db.exists(REDIS_MARKER):
                redis_db.flushdb()
        except redis.RedisError as problem:
            log(f"could not flush Redis database {args.redis_db}: {problem}")
        if database_created and not args.keep_database:
            try:
                drop_database(args.pg, DATABASE)
            except psycopg.Error as problem:
                log(f"could not drop {DATABASE}: {problem}")
        if exit_code == 0:  # the logs of the processes are kept when something failed
            for path in RESULTS.glob(f"reminders-{stamp}-*.log"):
                path.unlink(missing_ok=True)
        run_lock.close()  # ends the session, which releases the lock
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return exit_code


def summary_eventsys(r: dict) -> str:
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in r["cpu_ms_per_email"].items() if k != "bench")
    return (f"eventsys {r['pool']}:{r['concurrency']}: {r['emails_per_second']:.1f} emails/s end to end "
            f"({r['end_to_end_seconds']:.2f}s: queue {r['queue_seconds']:.2f}s, delivery "
            f"{r['delivery_seconds']:.2f}s); CPU ms/email: {cpu}; machine {r['machine_busy_percent']:.0f}% "
            f"busy, other processes {r['other_cores_busy']:.2f} cores; checks "
            f"{'PASS' if r['checks']['pass'] else 'FAIL ' + json.dumps(r['checks'])}")


def summary_baseline(r: dict) -> str:
    cpu = ", ".join(f"{k} {v:.2f}" for k, v in r["cpu_ms_per_email"].items() if k in {"bench", "sink"})
    return (f"baseline: {r['emails_per_second']:.1f} emails/s ({r['seconds']:.2f}s); CPU ms/email: {cpu}; "
            f"machine {r['machine_busy_percent']:.0f}% busy, other processes {r['other_cores_busy']:.2f} "
            f"cores; checks {'PASS' if r['checks']['pass'] else 'FAIL ' + json.dumps(r['checks'])}")


def build_report(args, stamp: str, results: list[dict], baseline: dict, database_url: str) -> dict:
    # The same messages: the bytes the sink received should differ only by MIME boundaries (none here).
    baseline["bytes_vs_eventsys"] = baseline["bytes_received"] / results[-1]["bytes_received"]
    for result in results:
        ratio = result["emails_per_second"] / baseline["emails_per_second"]
        result["ratio"] = {"ratio": ratio, "target": TARGET, "met": ratio >= TARGET}
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
        synchronous_commit = conn.execute("SHOW synchronous_commit").fetchone()[0]
    import celery

    return {
        "timestamp": stamp,
        "command": " ".join([".venv/bin/python", "bench/reminders.py", *sys.argv[1:]]),
        "settings": {"emails": args.emails, "warmup": args.warmup,
                     "pools": [f"{p}:{c}" for p, c in args.pools], "celery_app": args.celery_app,
                     "redis_db": args.redis_db, "profile": args.profile},
        "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "postgresql": pg_version, "synchronous_commit": synchronous_commit, "celery": celery.__version__,
        },
        "eventsys": results,
        "baseline": baseline,
        "headline": {"pool": f"{results[0]['pool']}:{results[0]['concurrency']}", **results[0]["ratio"]},
    }


def print_report(report: dict) -> None:
    print()
    print(f"{'target':<22} {'emails/s':>9} {'total s':>8} {'queue s':>8} {'deliver s':>9} {'ratio':>6} "
          f"{'worker':>7} {'postgres':>9} {'redis':>6} {'sink':>6} {'busy':>5} {'checks':>6}")
    print(f"{'':<22} {'':>9} {'':>8} {'':>8} {'':>9} {'':>6} {'--- CPU ms per email ---':>31}")
    for r in report["eventsys"]:
        cpu = r["cpu_ms_per_email"]
        print(f"{'eventsys ' + r['pool'] + ':' + str(r['concurrency']):<22} {r['emails_per_second']:9.1f} "
              f"{r['end_to_end_seconds']:8.2f} {r['queue_seconds']:8.2f} {r['delivery_seconds']:9.2f} "
              f"{r['ratio']['ratio']:5.2f}x {cpu['worker']:7.2f} {cpu['postgres']:9.2f} {cpu['redis']:6.2f} "
              f"{cpu['sink']:6.2f} {r['machine_busy_percent']:4.0f}% "
              f"{'PASS' if r['checks']['pass'] else 'FAIL':>6}")
    b = report["baseline"]
    cpu = b["cpu_ms_per_email"]
    print(f"{'baseline smtplib loop':<22} {b['emails_per_second']:9.1f} {b['seconds']:8.2f} "
          f"{'-':>8} {'-':>9} {'':>6} {cpu['bench']:7.2f} {cpu['postgres']:9.2f} {cpu['redis']:6.2f} "
          f"{cpu['sink']:6.2f} "
          f"{b['machine_busy_percent']:4.0f}% {'PASS' if b['checks']['pass'] else 'FAIL':>6}")
    raw = b["sendmail_bytes"]
    cpu = raw["cpu_ms_per_email"]
    print(f"{'(sendmail, same bytes)':<22} {raw['emails_per_second']:9.1f} {raw['seconds']:8.2f} "
          f"{'-':>8} {'-':>9} {'':>6} {cpu['bench']:7.2f} {cpu['postgres']:9.2f} {cpu['redis']:6.2f} "
          f"{cpu['sink']:6.2f} {raw['machine_busy_percent']:4.0f}% "
          f"{'PASS' if raw['checks']['pass'] else 'FAIL':>6}")
    print("(baseline: send_message() of EmailMessages built beforehand, the reference of the ratio; "
          "below it, for comparison, sendmail() of the very bytes eventsys sent; the worker column is "
          "then the loop of this script)")
    print()
    raw_rate = report["baseline"]["sendmail_bytes"]["emails_per_second"]
    for r in report["eventsys"]:
        verdict = "MET" if r["ratio"]["met"] else "MISSED"
        print(f"ratio eventsys {r['pool']}:{r['concurrency']}/baseline: {r['ratio']['ratio']:.2f}x "
              f"(target >= {TARGET}x)  {verdict}; against sendmail() of the same bytes "
              f"{r['emails_per_second'] / raw_rate:.2f}x")
        if r["other_cores_busy"] > 0.25:
            print(f"WARNING: other processes used {r['other_cores_busy']:.2f} cores during eventsys "
                  f"{r['pool']}:{r['concurrency']}; that phase ran on a shared machine")
        if not r["checks"]["pass"]:
            print(f"checks FAILED for {r['pool']}:{r['concurrency']}: {r['checks']}")
    if b["other_cores_busy"] > 0.25:
        print(f"WARNING: other processes used {b['other_cores_busy']:.2f} cores during the baseline")
    if report["machine"].get("registration_bench_running"):
        print("WARNING: bench/registration.py ran at the same time")
    if report.get("eventsys_code", {}).get("changed_during_run"):
        print("WARNING: eventsys code changed on disk during the run; the figures may mix two versions")


if __name__ == "__main__":
    sys.exit(main())
