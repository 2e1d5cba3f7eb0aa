"""Driving a server with wrk (Debian's package) and reading what it cost: the load of the benchmarks.

wrk is a standard HTTP load generator in C with LuaJIT scripts: it takes far less CPU per
request than any Python client, so on a 2-core machine the servers get the cores. The
request bodies come from a Lua script (bench/wrk/*.lua) whose `done` prints one line of
JSON. Around each run the CPU time of the gunicorn master and its workers, of PostgreSQL
and of the whole machine is read from /proc (Linux), so a report can say what a request
cost and whether another workload shared the machine.
"""

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def wrk_path() -> str:
    """The wrk binary; `make bench` installs Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: run `make bench`, or `apt-get install wrk`")
    return found


# --- CPU accounting (Linux /proc; empty results elsewhere) -------------------------------------------


def _ticks(pid: int) -> tuple[int, int, str]:
    """(CPU clock ticks, parent pid, command name) of one process.

    The ticks are its own user + system time plus that of its children it has reaped, so the
    work of a PostgreSQL backend that exited (a pooled connection closed) still counts, in the
    postmaster's column."""
    with open(f"/proc/{pid}/stat") as stat:
        raw = stat.read()
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return sum(int(v) for v in fields[11:15]), int(fields[1]), name


def cpu_snapshot(server_pid: int | None) -> dict:
    """CPU ticks so far: the gunicorn master with its workers, all postgres processes, the whole machine."""
    server = postgres = 0
    try:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                ticks, parent, name = _ticks(int(entry))
            except (OSError, ValueError, IndexError):
                continue
            if server_pid is not None and (int(entry) == server_pid or parent == server_pid):
                server += ticks
            elif name.startswith("postgres"):
                postgres += ticks
        with open("/proc/stat") as stat:
            machine = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return {}
    return {"server": server, "postgres": postgres, "machine_idle": machine[3] + machine[4],
            "machine_total": sum(machine[:8])}


def cpu_usage(before: dict, after: dict, requests: int, elapsed: float) -> dict:
    """CPU milliseconds per request of the server and PostgreSQL, how busy the machine was, and how
    many cores went to anything else (another workload on the machine skews the figures)."""
    if not before or not after or not requests or not elapsed:
        return {}
    hz = os.sysconf("SC_CLK_TCK")
    total = after["machine_total"] - before["machine_total"]
    idle = after["machine_idle"] - before["machine_idle"]
    server = (after["server"] - before["server"]) / hz
    postgres = (after["postgres"] - before["postgres"]) / hz
    # wrk is our child: once it has exited and been reaped, its CPU time is in our children's times
    client = after["client_reaped"] - before["client_reaped"]
    cores = os.cpu_count() or 1
    busy_cores = cores * (total - idle) / total if total else 0.0
    return {
        "server_cpu_ms_per_request": 1000 * server / requests,
        "postgres_cpu_ms_per_request": 1000 * postgres / requests,
        "client_cpu_ms_per_request": 1000 * client / requests,
        "machine_busy_percent": 100 * busy_cores / cores,
        "other_cores_busy": max(busy_cores - (server + postgres + client) / elapsed, 0.0),
    }


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


# --- one run -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """How hard to push: wrk's threads and connections, and for how long."""

    threads: int = 2
    connections: int = 16
    seconds: float = 10.0


def visit_form(base_url: str, path: str) -> tuple[str, str]:
    """GET a form once, as a browser would: its session cookie and its CSRF token."""
    with urllib.request.urlopen(base_url + path, timeout=30) as page:
        cookie = "; ".join(value.split(";", 1)[0] for name, value in page.headers.items()
                           if name.lower() == "set-cookie")
        match = CSRF_INPUT.search(page.read().decode())
    if not match or not cookie:
        raise RuntimeError(f"{path} gave no session cookie or no csrf_token")
    return cookie, match.group(1)


def run_wrk(base_url: str, script: str, script_args: list[str], load: Load, server_pid: int | None) -> dict:
    """Drive base_url with wrk and bench/wrk/<script>; its counts, latencies (ms) and CPU per request."""
    before = {**cpu_snapshot(server_pid), "client_reaped": _children_cpu()}
    started = time.monotonic()
    result = subprocess.run(
        [wrk_path(), f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds:g}s", "--timeout", "30s",
         "-s", str(WRK_SCRIPTS / script), base_url, "--", *script_args],
        capture_output=True, text=True, timeout=load.seconds + 120,
    )
    elapsed = time.monotonic() - started
    after = {**cpu_snapshot(server_pid), "client_reaped": _children_cpu()}
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout[-2000:]}\n"
                           f"{result.stderr[-2000:]}")
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    errors = {kind: counts[f"errors_{kind}"] for kind in ("connect", "read", "write", "status", "timeout")}
    requests = counts["requests"]
    return {
        "requests": requests,
        "ok": requests - errors["status"],
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "rps": requests / (counts["duration_us"] / 1e6),
        "p50_ms": counts["p50_us"] / 1000, "p90_ms": counts["p90_us"] / 1000,
        "p99_ms": counts["p99_us"] / 1000, "max_ms": counts["max_us"] / 1000,
        **cpu_usage(before, after, requests, elapsed),
    }
