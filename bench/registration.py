"""Registration throughput of eventsys as the README deploys it, against a bare Flask + SQLAlchemy baseline.

    make bench        (installs wrk from Debian's packages when missing, then runs this)
    .venv/bin/python bench/registration.py [--seconds S] [--rounds R] [--connections C] [--workers W]
                                           [--threads T]

One run:
 1. drops and recreates two PostgreSQL databases, eventsys_bench and eventsys_bench_baseline;
 2. migrates eventsys_bench with `flask db upgrade` and creates published events through the models:
    one for the warm-up and one per measured phase, each with a capacity smaller than what it will
    get, so both the confirmed and the waiting-list path are taken;
 3. creates the baseline's one table (bench/baseline_app.py);
 4. serves both apps with the gunicorn settings the README documents (`-w 4 -k gthread --threads 8`),
    eventsys with REDIS_URL (the outbox's tasks and the rate limits' counters live there, as deployed);
 5. per phase (JSON API, then HTML form): a warm-up of each target, then R rounds (3) of both
    targets one after the other, the first alternating, each a CHECKPOINT and S seconds of
    keep-alive registrations with unique emails from wrk (bench/wrk/registration.lua; the form
    phase posts with one visit's session cookie and CSRF token), reading the CPU time the server,
    PostgreSQL, wrk and the rest of the machine used; a ratio is the median of the rounds' ratios;
 6. measures latency below saturation, in rounds likewise: JSON registrations offered to both
    targets at the same pace, half the rate the baseline reached in step 5
    (bench/wrk/registration-paced.lua: each connection waits after every answer), so a request's
    time is measured rather than a queue's;
 7. checks that no eventsys event is overbooked and that the counters agree with the rows;
 8. prints the table and the eventsys/baseline ratios against the targets (JSON >= 0.6x,
    form >= 0.4x, p99 under 100 ms; p99 is shown at saturation beside the baseline's, and judged
    at the paced load) and writes bench/results/registration-<timestamp>.json;
 9. stops the servers and drops the databases, also on errors and Ctrl-C.

The public registration limits stay on: the bench's address is allowed a rate far above what it
sends by configuration (LIMIT_SETTINGS), so every request still pays for counting.

Exit status: 0 when every request succeeded and the checks passed; 2 when another run holds the
PostgreSQL advisory lock that keeps two runs from dropping each other's databases; 1 otherwise.
The targets are reported, not enforced (a missed target does not change the exit status).
"""

import argparse
import hashlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wrk_driver import Load, run_wrk, visit_form  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = BENCH / "results"

EVENTSYS_DB = "eventsys_bench"
BASELINE_DB = "eventsys_bench_baseline"
SECRET_KEY = "x"
TARGETS = {"json": 0.6, "form": 0.4}
#: the latency target: p99 under this many milliseconds
P99_TARGET_MS = 100
#: the paced phase offers this share of the baseline's saturated JSON rate to both targets
PACED_SHARE = 0.5
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


# --- small helpers -----------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def db_url(server: str, name: str) -> str:
    return f"{server.rstrip('/')}/{name}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: pg_advisory_lock key held for a whole run: the database names are server-wide, so two runs at once
#: (from this checkout or another) would drop each other's databases mid-measurement.
RUN_LOCK_KEY = 0x65766E7473  # "evnts"


def take_run_lock(server: str) -> psycopg.Connection | None:
    """A connection holding the run lock, or None when another run holds it."""
    conn = psycopg.connect(db_url(server, "postgres"), autocommit=True, connect_timeout=10)
    if conn.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,)).fetchone()[0]:
        return conn
    conn.close()
    return None


def recreate_database(server: str, name: str) -> None:
    with psycopg.connect(db_url(server, "postgres"), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(db_url(server, "postgres"), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def checkpoint(server: str) -> None:
    """Flush dirty pages now, so a checkpoint is less likely to land in the middle of a measurement."""
    with psycopg.connect(db_url(server, "postgres"), autocommit=True, connect_timeout=10) as conn:
        conn.execute("CHECKPOINT")


def machine_busy_percent(seconds: float) -> float | None:
    """How busy all CPUs are over a short sample (Linux), to notice another workload before measuring."""
    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
        return sum(values), values[3] + values[4]

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError):
        return None
    return 100 * (1 - (idle1 - idle0) / (total1 - total0)) if total1 > total0 else None


#: eventsys runs as deployed: each registration's email is queued on Redis for a worker (none runs
#: here, so the web tier alone is measured); a database number of its own, emptied before and after
BROKER_URL = "redis://127.0.0.1:6379/14"


#: wrk is one address registering thousands: its limits are raised by configuration, not lifted, so
#: the limiter still counts every request in Redis as deployed (each email is a mailbox of its own)
LIMIT_SETTINGS = {"REGISTRATION_RATE_LIMIT": "10000000 per minute",
                  "REGISTRATION_EVENT_RATE_LIMIT": "10000000 per minute"}


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MAIL_SERVER", "DATABASE_URL"}}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1", REDIS_URL=BROKER_URL,
               **LIMIT_SETTINGS)
    return env


def empty_broker() -> None:
    """Drop the delivery tasks the registrations queued: no worker runs during the benchmark."""
    import redis

    redis.Redis.from_url(BROKER_URL, socket_connect_timeout=3).flushdb()


def code_state() -> dict:
    """Which eventsys was measured: its commit, the files changed since, a digest of the code as served."""
    digest = hashlib.sha256()
    for folder in ("eventsys", "templates", "migrations"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    state = {"digest": digest.hexdigest()[:16], "commit": None, "uncommitted": None}
    try:
        state["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10,
        ).stdout.strip() or None
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "eventsys", "templates", "migrations"],
            cwd=ROOT, capture_output=True, text=True, timeout=10,
        ).stdout.splitlines()
        state["uncommitted"] = [line[3:] for line in changed]
    except (OSError, subprocess.SubprocessError):
        pass
    return state


# --- servers -----------------------------------------------------------------------------------------


class Server:
    """A gunicorn master in its own session, stopped by pid (TERM, then KILL)."""

    def __init__(self, name: str, app: str, database_url: str, args, log_path: Path, extra: list[str]):
        self.name, self.port, self.log_path = name, free_port(), log_path
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [
            str(VENV_BIN / "gunicorn"), "-w", str(args.workers), "-k", "gthread",
            "--threads", str(args.threads), "-b", f"127.0.0.1:{self.port}", *extra, app,
        ]
        self.log_file = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=server_env(database_url), stdout=self.log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited with {self.process.returncode}; "
                                   f"see {self.log_path}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=5) as response:
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as answer:
                if answer.code < 500:
                    return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name}: no answer on {self.base_url}{path} within {timeout:.0f}s:\n{self.tail()}"
        )

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.log_file.close()


# --- setting up the two databases --------------------------------------------------------------------


def migrate_eventsys(database_url: str) -> None:
    env = server_env(database_url)
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "eventsys", "db", "upgrade"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=180,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"flask db upgrade failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def create_events(database_url: str, events: dict[str, int]) -> None:
    """Create one published in-person conference per slug, with the given capacity, through the models."""
    os.environ.update(server_env(database_url))
    sys.path.insert(0, str(ROOT))
    from eventsys import create_app
    from eventsys.database import db
    from eventsys.events.models import Event, EventKind, EventMode, EventStatus

    app = create_app()
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    with app.app_context():
        for slug, capacity in events.items():
            db.session.add(Event(
                slug=slug,
                title=f"Benchmark conference {slug}",
                kind=EventKind.conference,
                mode=EventMode.in_person,
                status=EventStatus.published,
                starts_at=starts,
                ends_at=starts + timedelta(days=1),
                timezone="Asia/Shanghai",
                venue="Benchmark hall",
                capacity=capacity,
            ))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def create_baseline_tables(database_url: str) -> None:
    sys.path.insert(0, str(BENCH))
    import baseline_app

    baseline_app.create_tables(database_url)


# --- load --------------------------------------------------------------------------------------------


def run_phase(args, server: Server, target: str, flow: str, event: str, prefix: str, seconds: float,
              pace_ms: int | None = None) -> dict:
    """Registrations for seconds with wrk against one target and event; its counts, latencies and CPU.

    With pace_ms (JSON only) each connection waits that long after every answer."""
    if target == "eventsys":
        post_path = f"/api/v1/events/{event}/registrations" if flow == "json" else f"/events/{event}/register"
    else:
        post_path = f"/api/events/{event}/registrations" if flow == "json" else f"/events/{event}/register"
    script_args = [flow, post_path, prefix]
    if flow == "form" and target == "eventsys":
        script_args += visit_form(server.base_url, f"/events/{event}/register")
    load = Load(threads=args.wrk_threads, connections=args.connections, seconds=seconds)
    if pace_ms:
        return run_wrk(server.base_url, "registration-paced.lua", [*script_args, "", "", str(pace_ms)], load,
                       server.process.pid)
    return run_wrk(server.base_url, "registration.lua", script_args, load, server.process.pid)


def _median(values):
    return statistics.median(values) if values else None


def combine_rounds(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    """One flow's rounds as one result per target: medians of the rounds, errors and successes summed.

    The eventsys entry also carries each round's ratio and their median: a ratio is taken
    between two runs a few seconds apart, so a machine that drifts over the minutes of a
    run moves both sides of it, not one.
    """
    combined = {}
    for target in rounds[0]:
        runs = [r[target] for r in rounds]
        errors_by_kind = {kind: sum(run["errors_by_kind"][kind] for run in runs)
                          for kind in runs[0]["errors_by_kind"]}
        combined[target] = {
            "rounds": runs,
            "requests": sum(run["requests"] for run in runs), "ok": sum(run["ok"] for run in runs),
            "errors": sum(run["errors"] for run in runs), "errors_by_kind": errors_by_kind,
            **{key: _median([run[key] for run in runs if run.get(key) is not None])
               for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "server_cpu_ms_per_request",
                           "postgres_cpu_ms_per_request", "client_cpu_ms_per_request",
                           "machine_busy_percent")},
            "other_cores_busy": max((run.get("other_cores_busy") or 0.0) for run in runs),
        }
    by_round = [r["eventsys"]["rps"] / r["baseline"]["rps"] for r in rounds if r["baseline"]["rps"]]
    combined["eventsys"]["ratio_by_round"] = by_round
    combined["eventsys"]["ratio"] = _median(by_round) or 0.0
    return combined


def summary_line(target: str, flow: str, r: dict) -> str:
    cpu = ""
    if r.get("server_cpu_ms_per_request") is not None:
        cpu = (f"  CPU/req: server {r['server_cpu_ms_per_request']:.2f} ms, postgres "
               f"{r['postgres_cpu_ms_per_request']:.2f} ms, wrk {r['client_cpu_ms_per_request']:.2f} ms; "
               f"machine {r['machine_busy_percent']:.0f}% busy, other processes "
               f"{r['other_cores_busy']:.2f} cores")
    errors = f"  errors {r['errors_by_kind']}" if r["errors"] else "  errors 0"
    return (f"{target:<9} {flow:<5} {r['rps']:7.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms{errors}{cpu}")


# --- checks ------------------------------------------------------------------------------------------


def check_eventsys(database_url: str, successes: dict[str, int], in_flight: int) -> list[dict]:
    """Per event: confirmed <= capacity, confirmed = event.confirmed_count (and waitlisted likewise),
    confirmed + waitlisted = the successful requests sent for that event.

    wrk counts only the answers it read before its time was up: up to in_flight more (one per
    connection and phase) may have been stored after it stopped listening."""
    checks = []
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        for slug, expected in successes.items():
            event_id, capacity, confirmed_count, waitlisted_count = conn.execute(
                "SELECT id, capacity, confirmed_count, waitlisted_count FROM event WHERE slug = %s", (slug,)
            ).fetchone()
            counts = dict(conn.execute(
                "SELECT status, count(*) FROM registration WHERE event_id = %s GROUP BY status", (event_id,)
            ).fetchall())
            confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
            passed = (
                (capacity is None or confirmed <= capacity)
                and confirmed == confirmed_count
                and waitlisted == waitlisted_count
                and expected <= confirmed + waitlisted <= expected + in_flight
            )
            checks.append({
                "event": slug, "capacity": capacity,
                "confirmed_rows": confirmed, "waitlisted_rows": waitlisted,
                "event_confirmed_count": confirmed_count, "event_waitlisted_count": waitlisted_count,
                "successful_requests": expected, "pass": passed,
            })
    return checks


def check_baseline(database_url: str, successes: dict[str, int], in_flight: int) -> list[dict]:
    """The baseline must really have written one row per successful request."""
    checks = []
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        for event, expected in successes.items():
            (rows,) = conn.execute(
                "SELECT count(*) FROM bench_registration WHERE event_id = %s", (int(event),)
            ).fetchone()
            checks.append({"event": event, "rows": rows, "successful_requests": expected,
                           "pass": expected <= rows <= expected + in_flight})
    return checks


# --- main --------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per round and target")
    parser.add_argument("--rounds", type=int, default=3,
                        help="measured rounds per flow, alternating which target goes first")
    parser.add_argument("--warmup-seconds", type=float, default=3.0, help="warm-up per phase and target")
    parser.add_argument("--connections", type=int, default=16, help="wrk's keep-alive connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=4,
                        help="gunicorn workers, for both targets (the README's deployment: 4)")
    parser.add_argument("--threads", type=int, default=8,
                        help="gunicorn gthread threads per worker (the README's deployment: 8)")
    parser.add_argument("--capacity", type=int, default=1500,
                        help="seats of each measured event; the rest join its waiting list")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without database (loopback only)")
    parser.add_argument("--keep-databases", action="store_true", help="leave both databases for inspection")
    args = parser.parse_args(argv)
    if urlsplit(args.pg).hostname not in LOOPBACK:
        parser.error("--pg must point at a loopback address")
    for name in ("connections", "wrk_threads", "workers", "threads", "capacity", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.seconds <= 0 or args.warmup_seconds < 0:
        parser.error("--seconds must be positive and --warmup-seconds not negative")
    return args


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    eventsys_url = db_url(args.pg, EVENTSYS_DB)
    baseline_url = db_url(args.pg, BASELINE_DB)
    events = {"bench-warmup": args.capacity, "bench-json": args.capacity, "bench-form": args.capacity,
              "bench-paced": args.capacity}
    baseline_events = {"json": "2", "form": "3", "warmup": "1", "paced": "4"}
    servers: list[Server] = []
    results: dict[str, dict[str, dict]] = {"json": {}, "form": {}, "paced": {}}
    exit_code = 1
    try:
        run_lock = take_run_lock(args.pg)
    except psycopg.Error as problem:
        log(f"FAILED: cannot reach PostgreSQL at {args.pg}: {problem}")
        return 1
    if run_lock is None:
        log("another bench/registration.py run holds the PostgreSQL run lock; try again when it ends")
        return 2
    code_before = code_state()
    try:
        empty_broker()
        log(f"eventsys at {code_before['commit']}, digest {code_before['digest']}"
            + (f", uncommitted changes in {len(code_before['uncommitted'])} file(s)"
               if code_before["uncommitted"] else ""))
        busy = machine_busy_percent(1.0)
        if busy is not None and busy > 15:
            log(f"note: the machine is {busy:.0f}% busy before the run; "
                "another workload may skew the figures")
        log(f"recreating databases {EVENTSYS_DB} and {BASELINE_DB}")
        recreate_database(args.pg, EVENTSYS_DB)
        recreate_database(args.pg, BASELINE_DB)
        log("migrating eventsys (flask db upgrade)")
        migrate_eventsys(eventsys_url)
        create_events(eventsys_url, events)
        create_baseline_tables(baseline_url)

        log(f"starting gunicorn x2: -w {args.workers} -k gthread --threads {args.threads}")
        baseline = Server("baseline", "baseline_app:create_app()", baseline_url, args,
                          RESULTS / f"registration-{stamp}-baseline.log", ["--pythonpath", str(BENCH)])
        servers.append(baseline)
        eventsys = Server("eventsys", "eventsys:create_app()", eventsys_url, args,
                          RESULTS / f"registration-{stamp}-eventsys.log", [])
        servers.append(eventsys)
        baseline.wait_ready("/healthz")
        eventsys.wait_ready("/events/bench-json")

        successes = {slug: 0 for slug in events}
        baseline_successes = {event: 0 for event in baseline_events.values()}
        phases = 0
        targets = (("baseline", baseline), ("eventsys", eventsys))
        for flow in ("json", "form"):
            for target, server in targets:
                warm_event = "bench-warmup" if target == "eventsys" else baseline_events["warmup"]
                counted = successes if target == "eventsys" else baseline_successes
                if args.warmup_seconds:
                    seconds = args.warmup_seconds
                    warm = run_phase(args, server, target, flow, warm_event, f"warm-{flow}", seconds)
                    counted[warm_event] += warm["ok"]
                    phases += 1
            rounds = []
            for number in range(1, args.rounds + 1):
                # Alternate who goes first, so neither always gets the fresher machine.
                this_round = {}
                for target, server in (targets if number % 2 else targets[::-1]):
                    event = f"bench-{flow}" if target == "eventsys" else baseline_events[flow]
                    counted = successes if target == "eventsys" else baseline_successes
                    checkpoint(args.pg)
                    log(f"{target} {flow}, round {number}/{args.rounds}: {args.seconds:g} s, "
                        f"wrk -t{args.wrk_threads} -c{args.connections}")
                    # Each round's emails are its own: the same address twice would be refused (409).
                    result = run_phase(args, server, target, flow, event, f"bench-{flow}-{number}",
                                       args.seconds)
                    this_round[target] = result
                    counted[event] += result["ok"]
                    phases += 1
                    log(summary_line(target, flow, result))
                rounds.append(this_round)
            results[flow] = combine_rounds(rounds)

        pace_ms = max(1, round(1000 * args.connections / (PACED_SHARE * results["json"]["baseline"]["rps"])))
        log(f"paced json: each connection waits {pace_ms} ms after every answer "
            f"(about {1000 * args.connections / pace_ms:.0f} req/s offered to each target)")
        rounds = []
        for number in range(1, args.rounds + 1):
            this_round = {}
            for target, server in (targets if number % 2 else targets[::-1]):
                event = "bench-paced" if target == "eventsys" else baseline_events["paced"]
                counted = successes if target == "eventsys" else baseline_successes
                checkpoint(args.pg)
                result = run_phase(args, server, target, "json", event, f"bench-paced-{number}", args.seconds,
                                   pace_ms)
                this_round[target] = result
                counted[event] += result["ok"]
                phases += 1
                log(summary_line(target, "paced", result))
            rounds.append(this_round)
        results["paced"] = combine_rounds(rounds)
        results["paced"]["eventsys"]["pace_ms"] = pace_ms

        checks = check_eventsys(eventsys_url, successes, phases * args.connections)
        baseline_checks = check_baseline(baseline_url, baseline_successes, phases * args.connections)
        all_passed = all(c["pass"] for c in checks)
        code_after = code_state()
        report = build_report(args, stamp, results, checks, baseline_checks, eventsys_url)
        report["machine"]["busy_percent_before_run"] = busy
        changed = code_after["digest"] != code_before["digest"]
        report["eventsys_code"] = {**code_before, "changed_during_run": changed}
        print_report(report)
        path = RESULTS / f"registration-{stamp}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        log(f"results written to {path.relative_to(ROOT)}")
        failed_phases = [f"{target} {flow}" for flow, by_target in results.items()
                         for target, result in by_target.items() if result["errors"]]
        if failed_phases:
            log(f"errors in: {', '.join(failed_phases)}; server logs kept in {RESULTS.relative_to(ROOT)}/")
            for server in servers:
                log(f"{server.name} log tail:\n{server.tail(15)}")
        passed = all_passed and all(c["pass"] for c in baseline_checks)
        exit_code = 0 if passed and not failed_phases else 1
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        exit_code = 130
    except Exception as problem:
        log(f"FAILED: {problem}")
        for server in servers:
            if server.process.poll() is not None or "Traceback" in server.tail(200):
                log(f"{server.name} log tail:\n{server.tail()}")
        exit_code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        for server in servers:
            server.stop()
        try:
            empty_broker()
        except Exception as problem:  # noqa: BLE001 - cleanup reports and goes on
            log(f"could not empty the broker database: {problem}")
        if not args.keep_databases:
            for name in (EVENTSYS_DB, BASELINE_DB):
                try:
                    drop_database(args.pg, name)
                except psycopg.Error as problem:
                    log(f"could not drop {name}: {problem}")
        if exit_code == 0:
            for server in servers:  # only startup lines when all went well; kept when something failed
                server.log_path.unlink(missing_ok=True)
        run_lock.close()  # ends the session, which releases the lock
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return exit_code


def build_report(args, stamp, results, checks, baseline_checks, eventsys_url) -> dict:
    ratios = {}
    for flow, target in TARGETS.items():
        ratio = results[flow]["eventsys"]["ratio"]
        ratios[flow] = {"ratio": ratio, "by_round": results[flow]["eventsys"]["ratio_by_round"],
                        "target": target, "met": ratio >= target,
                        "p99_ms": results[flow]["eventsys"]["p99_ms"],
                        "baseline_p99_ms": results[flow]["baseline"]["p99_ms"]}
    paced = results["paced"]
    latency = {"pace_ms": paced["eventsys"]["pace_ms"], "share_of_baseline_json_rate": PACED_SHARE,
               "rps": {target: paced[target]["rps"] for target in paced},
               "p99_ms": paced["eventsys"]["p99_ms"], "baseline_p99_ms": paced["baseline"]["p99_ms"],
               "target_ms": P99_TARGET_MS, "met": paced["eventsys"]["p99_ms"] < P99_TARGET_MS}
    with psycopg.connect(eventsys_url, connect_timeout=10) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
        synchronous_commit = conn.execute("SHOW synchronous_commit").fetchone()[0]
    return {
        "timestamp": stamp,
        "command": " ".join([".venv/bin/python", "bench/registration.py", *sys.argv[1:]]),
        "settings": {
            "seconds": args.seconds, "rounds": args.rounds, "warmup_seconds": args.warmup_seconds,
            "connections": args.connections,
            "wrk_threads": args.wrk_threads, "workers": args.workers, "threads": args.threads,
            "capacity_per_event": args.capacity, "limit_settings": LIMIT_SETTINGS,
        },
        "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "postgresql": pg_version, "synchronous_commit": synchronous_commit,
        },
        "results": results,
        "ratios": ratios,
        "latency_below_saturation": latency,
        "overbooking_check": {"pass": all(c["pass"] for c in checks), "events": checks},
        "baseline_check": {"pass": all(c["pass"] for c in baseline_checks), "events": baseline_checks},
    }


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_report(report: dict) -> None:
    print()
    print(f"{'target':<15} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'server CPU ms/req':>18} {'machine busy':>13}")
    for flow in ("json", "form", "paced"):
        for target in ("baseline", "eventsys"):
            r = report["results"][flow][target]
            busy = r.get("machine_busy_percent")
            print(f"{target + ' ' + flow:<15} {r['rps']:8.1f} {_ms(r['p50_ms']):>8} {_ms(r['p99_ms']):>8} "
                  f"{r['errors']:7d} {_ms(r.get('server_cpu_ms_per_request')):>18} "
                  f"{'-' if busy is None else f'{busy:.0f}%':>13}")
    print()
    for flow, ratio in report["ratios"].items():
        verdict = "MET" if ratio["met"] else "MISSED"
        rounds = ", ".join(f"{r:.2f}" for r in ratio["by_round"])
        print(f"ratio eventsys/baseline {flow:<4}: {ratio['ratio']:.2f}x, median of rounds {rounds} "
              f"(target >= {ratio['target']}x)  {verdict}; p99 at saturation: eventsys "
              f"{ratio['p99_ms']:.1f} ms, baseline {ratio['baseline_p99_ms']:.1f} ms")
    latency = report["latency_below_saturation"]
    print(f"p99 at {latency['rps']['eventsys']:.0f} req/s (half the baseline's JSON rate, paced): eventsys "
          f"{latency['p99_ms']:.1f} ms, baseline {latency['baseline_p99_ms']:.1f} ms "
          f"(target < {P99_TARGET_MS} ms)  {'MET' if latency['met'] else 'MISSED'}")
    print()
    for c in report["overbooking_check"]["events"]:
        print(f"{c['event']:<13} capacity {c['capacity']}: confirmed {c['confirmed_rows']} "
              f"(event.confirmed_count {c['event_confirmed_count']}), waitlisted {c['waitlisted_rows']} "
              f"(event.waitlisted_count {c['event_waitlisted_count']}), successful requests "
              f"{c['successful_requests']}  {'PASS' if c['pass'] else 'FAIL'}")
    print(f"overbooking check: {'PASS' if report['overbooking_check']['pass'] else 'FAIL'}")
    for flow in ("json", "form", "paced"):
        for target in ("baseline", "eventsys"):
            other = report["results"][flow][target].get("other_cores_busy") or 0.0
            if other > 0.25:
                print(f"WARNING: other processes used {other:.2f} cores during {target} {flow}; "
                      "that phase ran on a shared machine")
    if report.get("eventsys_code", {}).get("changed_during_run"):
        print("WARNING: eventsys code changed on disk during the run; the figures may mix two versions")
    if not report["baseline_check"]["pass"]:
        print(f"baseline row check: FAIL {report['baseline_check']['events']}")


if __name__ == "__main__":
    sys.exit(main())
