"""Registration throughput of eventsys under gunicorn, against a bare Flask + SQLAlchemy baseline.

    .venv/bin/python bench/registration.py [--requests N] [--concurrency C] [--workers W] [--threads T]

One run:
 1. drops and recreates two PostgreSQL databases, eventsys_bench and eventsys_bench_baseline;
 2. migrates eventsys_bench with `flask db upgrade` and creates published events through the models:
    one for the warm-up, one for the JSON phase and one for the form phase, each with a capacity
    of half its requests, so both the confirmed and the waiting-list path are taken;
 3. creates the baseline's one table (bench/baseline_app.py);
 4. serves both apps with the same gunicorn settings (gthread, W workers, T threads, loopback only);
 5. per phase (JSON API, then HTML form) and per target (baseline, then eventsys): a short warm-up,
    a CHECKPOINT, then N registrations from C concurrent keep-alive clients driven by
    bench/loadgen.py in a process of its own;
 6. checks that no eventsys event is overbooked and that the counters agree with the rows;
 7. prints the table and the eventsys/baseline ratios against the targets (JSON >= 0.6x,
    form >= 0.4x) and writes bench/results/registration-<timestamp>.json;
 8. stops the servers and drops the databases, also on errors and Ctrl-C.

Exit status: 0 when the run completed and the overbooking check passed, 1 otherwise.
The targets are reported, not enforced (a missed target does not change the exit status).
"""

import argparse
import json
import os
import platform
import signal
import socket
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = BENCH / "results"

EVENTSYS_DB = "eventsys_bench"
BASELINE_DB = "eventsys_bench_baseline"
SECRET_KEY = "x"
TARGETS = {"json": 0.6, "form": 0.4}
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


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MAIL_SERVER", "DATABASE_URL"}}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1")
    return env


# --- servers -----------------------------------------------------------------------------------------


class Server:
    """A gunicorn master in its own session, stopped by pid (TERM, then KILL)."""

    def __init__(self, name: str, app: str, database_url: str, args, log_path: Path, extra: list[str]):
        self.name, self.port, self.log_path = name, free_port(), log_path
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [
            str(VENV_BIN / "gunicorn"), "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
            "-b", f"127.0.0.1:{self.port}", *extra, app,
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
        raise RuntimeError(f"{self.name}: no answer on {self.base_url}{path} within {timeout:.0f}s:\n{self.tail()}")

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
        raise RuntimeError(f"flask db upgrade failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


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


def drive(spec: dict) -> dict:
    """Run one phase in a load-generator process of its own; its JSON answer."""
    timeout = spec["phase_timeout"] + 60
    result = subprocess.run(
        [sys.executable, str(BENCH / "loadgen.py"), json.dumps(spec)], cwd=ROOT,
        capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"load generator failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def phase_spec(args, server: Server, target: str, flow: str, event: str, requests: int, prefix: str) -> dict:
    if target == "eventsys":
        post_path = (f"/api/v1/events/{event}/registrations" if flow == "json"
                     else f"/events/{event}/register")
        expect = 201 if flow == "json" else 303
    else:
        post_path = (f"/api/events/{event}/registrations" if flow == "json" else f"/events/{event}/register")
        expect = 201
    return {
        "base_url": server.base_url,
        "flow": flow,
        "post_path": post_path,
        "form_path": f"/events/{event}/register",
        "csrf": target == "eventsys",
        "expect": expect,
        "requests": requests,
        "concurrency": args.concurrency,
        "email_prefix": prefix,
        "timeout": args.request_timeout,
        "phase_timeout": max(60.0, 60.0 + requests * 0.1),
        "client": args.client,
    }


def summary_line(target: str, flow: str, r: dict) -> str:
    return (f"{target:<9} {flow:<5} {r['rps']:8.1f} req/s  p50 {r['p50_ms'] or 0:7.1f} ms  "
            f"p99 {r['p99_ms'] or 0:7.1f} ms  errors {r['errors']}  statuses {r['statuses']}"
            f"{'  failures ' + str(r['failures']) if r['failures'] else ''}  "
            f"client CPU {r['client_cpu_per_request_us']:.0f} us/req")


# --- checks ------------------------------------------------------------------------------------------


def check_eventsys(database_url: str, successes: dict[str, int]) -> list[dict]:
    """Per event: confirmed <= capacity, confirmed = event.confirmed_count, confirmed + waitlisted = successes."""
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
                and confirmed + waitlisted == expected
            )
            checks.append({
                "event": slug, "capacity": capacity, "confirmed_rows": confirmed, "waitlisted_rows": waitlisted,
                "event_confirmed_count": confirmed_count, "event_waitlisted_count": waitlisted_count,
                "successful_requests": expected, "pass": passed,
            })
    return checks


def check_baseline(database_url: str, successes: dict[str, int]) -> list[dict]:
    """The baseline must really have written one row per successful request."""
    checks = []
    with psycopg.connect(database_url, connect_timeout=10) as conn:
        for event, expected in successes.items():
            (rows,) = conn.execute(
                "SELECT count(*) FROM bench_registration WHERE event_id = %s", (int(event),)
            ).fetchone()
            checks.append({"event": event, "rows": rows, "successful_requests": expected, "pass": rows == expected})
    return checks


# --- main --------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="measured registrations per phase and target")
    parser.add_argument("--concurrency", type=int, default=32, help="simulated clients (one connection each)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for both targets")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn gthread threads per worker")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up registrations per phase and target")
    parser.add_argument("--client", choices=("httpx", "raw"), default="httpx",
                        help="load-generator HTTP client (raw: minimal asyncio HTTP/1.1, cheaper per request)")
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without database (loopback only)")
    parser.add_argument("--keep-databases", action="store_true", help="leave both databases for inspection")
    args = parser.parse_args(argv)
    if urlsplit(args.pg).hostname not in LOOPBACK:
        parser.error("--pg must point at a loopback address")
    for name in ("requests", "concurrency", "workers", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
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
    capacity = args.requests // 2
    events = {"bench-warmup": args.warmup, "bench-json": capacity, "bench-form": capacity}
    baseline_events = {"json": "2", "form": "3", "warmup": "1"}
    servers: list[Server] = []
    results: dict[str, dict[str, dict]] = {"json": {}, "form": {}}
    exit_code = 1
    try:
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
        for flow in ("json", "form"):
            for target, server in (("baseline", baseline), ("eventsys", eventsys)):
                event = f"bench-{flow}" if target == "eventsys" else baseline_events[flow]
                warm_event = "bench-warmup" if target == "eventsys" else baseline_events["warmup"]
                if args.warmup:
                    warm = drive(phase_spec(args, server, target, flow, warm_event, args.warmup, f"warm-{flow}"))
                    if target == "eventsys":
                        successes[warm_event] += warm["ok"]
                    else:
                        baseline_successes[warm_event] += warm["ok"]
                checkpoint(args.pg)
                log(f"{target} {flow}: {args.requests} registrations, {args.concurrency} clients")
                result = drive(phase_spec(args, server, target, flow, event, args.requests, f"bench-{flow}"))
                results[flow][target] = result
                if target == "eventsys":
                    successes[event] += result["ok"]
                else:
                    baseline_successes[event] += result["ok"]
                log(summary_line(target, flow, result))

        checks = check_eventsys(eventsys_url, successes)
        baseline_checks = check_baseline(baseline_url, baseline_successes)
        all_passed = all(c["pass"] for c in checks)
        report = build_report(args, stamp, results, checks, baseline_checks, eventsys_url)
        print_report(report)
        path = RESULTS / f"registration-{stamp}.json"
        path.write_text(json.dumps(report, indent=2) + "\n")
        log(f"results written to {path.relative_to(ROOT)}")
        exit_code = 0 if all_passed and all(c["pass"] for c in baseline_checks) else 1
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
        if not args.keep_databases:
            for name in (EVENTSYS_DB, BASELINE_DB):
                try:
                    drop_database(args.pg, name)
                except psycopg.Error as problem:
                    log(f"could not drop {name}: {problem}")
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return exit_code


def build_report(args, stamp, results, checks, baseline_checks, eventsys_url) -> dict:
    ratios = {}
    for flow, target in TARGETS.items():
        base, ours = results[flow]["baseline"]["rps"], results[flow]["eventsys"]["rps"]
        ratio = ours / base if base else 0.0
        ratios[flow] = {"ratio": ratio, "target": target, "met": ratio >= target}
    with psycopg.connect(eventsys_url, connect_timeout=10) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
        synchronous_commit = conn.execute("SHOW synchronous_commit").fetchone()[0]
    return {
        "timestamp": stamp,
        "command": " ".join([".venv/bin/python", "bench/registration.py", *sys.argv[1:]]),
        "settings": {
            "requests": args.requests, "concurrency": args.concurrency, "workers": args.workers,
            "threads": args.threads, "warmup": args.warmup, "client": args.client,
            "capacity_per_event": args.requests // 2,
        },
        "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "postgresql": pg_version, "synchronous_commit": synchronous_commit,
        },
        "results": results,
        "ratios": ratios,
        "overbooking_check": {"pass": all(c["pass"] for c in checks), "events": checks},
        "baseline_check": {"pass": all(c["pass"] for c in baseline_checks), "events": baseline_checks},
    }


def print_report(report: dict) -> None:
    print()
    print(f"{'target':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for flow in ("json", "form"):
        for target in ("baseline", "eventsys"):
            r = report["results"][flow][target]
            print(f"{target + ' ' + flow:<16} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['errors']:7d}")
    print()
    for flow, ratio in report["ratios"].items():
        verdict = "MET" if ratio["met"] else "MISSED"
        print(f"ratio eventsys/baseline {flow:<4}: {ratio['ratio']:.2f}x  (target >= {ratio['target']}x)  {verdict}")
    print()
    for check in report["overbooking_check"]["events"]:
        print(f"{check['event']:<13} capacity {check['capacity']}: confirmed {check['confirmed_rows']} "
              f"(event.confirmed_count {check['event_confirmed_count']}), waitlisted {check['waitlisted_rows']} "
              f"(event.waitlisted_count {check['event_waitlisted_count']}), successful requests "
              f"{check['successful_requests']}  {'PASS' if check['pass'] else 'FAIL'}")
    print(f"overbooking check: {'PASS' if report['overbooking_check']['pass'] else 'FAIL'}")
    if not report["baseline_check"]["pass"]:
        print(f"baseline row check: FAIL {report['baseline_check']['events']}")


if __name__ == "__main__":
    sys.exit(main())
