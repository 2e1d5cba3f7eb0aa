"""The load generator of bench/registration.py, run as its own process so it has its own interpreter.

    .venv/bin/python bench/loadgen.py '<json spec>'

reads one phase's spec (see `run` below), drives the target with `concurrency` simulated
clients over keep-alive connections until `requests` registrations have been sent, and
prints one JSON object with the counts and latencies on stdout.

Each simulated client holds one keep-alive connection, renewed every `reconnect_every` requests
(see the comment in `run`). In the "form" flow a client first GETs the form
once, keeps the session cookie and the CSRF token it got, then POSTs the form again and
again with that same cookie: the 303 is not followed, and the cookie it sets (which carries
the flashed message a browser would consume on the next page) is not kept, so every POST
sends the same small session.

Two HTTP clients: "httpx" (httpx.AsyncClient) and "raw" (a minimal HTTP/1.1 keep-alive
client on asyncio streams, several times cheaper per request, for when the load generator
must take as little of the machine's CPU as possible).
"""

import asyncio
import itertools
import json
import math
import os
import re
import resource
import sys
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(rb'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class HTTPError(Exception):
    """The server's answer could not be read."""


# --- clients ------------------------------------------------------------------------------------------


class RawConnection:
    """One HTTP/1.1 keep-alive connection: requests with a body of known length, answers read in full."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), self.timeout
        )

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], list[str], bytes]:
        """Send one request; return status, headers (lower-case names), Set-Cookie values and body."""
        if self.writer is None:
            await self._connect()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            answer = await asyncio.wait_for(self._exchange(head + body), self.timeout)
        except BaseException:
            await self.close()
            raise
        if (headers or {}).get("Connection") == "close":
            await self.close()
        return answer

    async def _exchange(self, data: bytes):
        self.writer.write(data)
        raw_head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = raw_head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HTTPError(f"bad status line {status_line!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookies.append(value)
            headers[name] = value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self.reader.read()  # closes afterwards
            await self.close()
            return status, headers, cookies, body
        if headers.get("connection", "").lower() == "close" or parts[0] == "HTTP/1.0":
            await self.close()
        return status, headers, cookies, body

    async def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while (await self.reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(chunks)
            chunks.append((await self.reader.readexactly(size + 2))[:-2])


class RawClient:
    def __init__(self, base_url: str, timeout: float):
        parts = urlsplit(base_url)
        self.conn = RawConnection(parts.hostname, parts.port or 80, timeout)

    async def request(self, method, path, body=b"", headers=None):
        return await self.conn.request(method, path, body, headers)

    async def close(self):
        await self.conn.close()


class HttpxClient:
    """The same interface over httpx.AsyncClient, with one connection and no cookie jar of its own."""

    def __init__(self, base_url: str, timeout: float):
        import httpx

        self.client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1), trust_env=False,
        )

    async def request(self, method, path, body=b"", headers=None):
        response = await self.client.request(method, path, content=body or None, headers=headers)
        # The cookie is sent explicitly by the caller; forget what the server set.
        self.client.cookies.clear()
        cookies = response.headers.get_list("set-cookie")
        headers = {k.lower(): v for k, v in response.headers.items()}
        return response.status_code, headers, cookies, response.content

    async def close(self):
        await self.client.aclose()


CLIENTS = {"raw": RawClient, "httpx": HttpxClient}


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


def cpu_usage(before: dict, after: dict, requests: int, elapsed: float, client_cpu: float) -> dict:
    """CPU milliseconds per completed request for the server and PostgreSQL, how busy the machine was,
    and how many cores went to anything else (another workload on the machine skews the figures)."""
    if not before or not after or not requests or not elapsed:
        return {}
    hz = os.sysconf("SC_CLK_TCK")
    total = after["machine_total"] - before["machine_total"]
    idle = after["machine_idle"] - before["machine_idle"]
    server = (after["server"] - before["server"]) / hz
    postgres = (after["postgres"] - before["postgres"]) / hz
    cores = os.cpu_count() or 1
    busy_cores = cores * (total - idle) / total if total else 0.0
    return {
        "server_cpu_ms_per_request": 1000 * server / requests,
        "postgres_cpu_ms_per_request": 1000 * postgres / requests,
        "server_cores_busy": server / elapsed,
        "machine_busy_percent": 100 * busy_cores / cores,
        "other_cores_busy": max(busy_cores - (server + postgres + client_cpu) / elapsed, 0.0),
    }


# --- the phase ----------------------------------------------------------------------------------------


def applicant(prefix: str, n: int) -> dict:
    return {
        "name": f"Bench Person {n}",
        "email": f"{prefix}-{n}@example.org",
        "affiliation": "Bench University",
        "country": "RU",
        "category": "faculty",
    }


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


async def _open_form(client, spec) -> dict[str, str]:
    """GET the form once: the headers every later POST of this client sends (cookie and token)."""
    status, _headers, cookies, body = await client.request("GET", spec["form_path"])
    if status != 200:
        raise HTTPError(f"GET {spec['form_path']} answered {status}")
    match = CSRF_INPUT.search(body)
    if not match:
        raise HTTPError("no csrf_token in the form")
    cookie = "; ".join(c.split(";", 1)[0] for c in cookies)
    if not cookie:
        raise HTTPError("the form set no session cookie")
    return {"cookie": cookie, "csrf_token": match.group(1).decode()}


async def run(spec: dict) -> dict:
    """spec: base_url, flow ("json"|"form"), post_path, form_path (form flow with csrf), csrf (bool),
    requests, concurrency, email_prefix, expect (status), timeout, phase_timeout, client ("raw"|"httpx"),
    reconnect_every (close each connection after that many requests; 0: never),
    server_pid (the gunicorn master, for CPU accounting; optional)."""
    host = urlsplit(spec["base_url"]).hostname
    if host not in LOOPBACK_HOSTS:
        raise SystemExit(f"refusing to load a non-loopback host: {host}")
    total, concurrency, flow = spec["requests"], spec["concurrency"], spec["flow"]
    make_client = CLIENTS[spec["client"]]
    clients = [make_client(spec["base_url"], spec["timeout"]) for _ in range(concurrency)]
    sessions: list[dict[str, str]] = [{} for _ in clients]
    started_setup = time.perf_counter()
    try:
        if flow == "form" and spec.get("csrf"):
            sessions = await asyncio.gather(*(_open_form(c, spec) for c in clients))
        setup_s = time.perf_counter() - started_setup

        counter = itertools.count()
        latencies: list[float] = []
        statuses: Counter = Counter()
        failures: Counter = Counter()
        ok = 0

        async def simulated_client(client, session):
            nonlocal ok
            if flow == "json":
                headers = {"Content-Type": "application/json", "Accept": "application/json"}
            else:
                headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
                if "cookie" in session:
                    headers["Cookie"] = session["cookie"]
            recycle = spec.get("reconnect_every") or 0
            sent_on_connection = 0
            while (n := next(counter)) < total:
                fields = applicant(spec["email_prefix"], n)
                sent_on_connection += 1
                # Ask for the connection to be closed now and then: gunicorn gives a connection to
                # whichever worker accepts it, and 32 connections kept for a whole phase can sit 28:4
                # on two workers, leaving a core idle. New connections spread the load again.
                last = bool(recycle) and sent_on_connection >= recycle
                if last:
                    sent_on_connection = 0
                if flow == "json":
                    body = json.dumps({**fields, "consent": True}).encode()
                else:
                    form = {**fields, "consent": "y"}
                    if "csrf_token" in session:
                        form["csrf_token"] = session["csrf_token"]
                    body = urlencode(form).encode()
                request_headers = {**headers, "Connection": "close"} if last else headers
                t0 = time.perf_counter()
                try:
                    status, _h, _c, _b = await client.request(
                        "POST", spec["post_path"], body, request_headers
                    )
                except Exception as problem:  # a refused, reset or timed-out request is counted, not fatal
                    failures[type(problem).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[status] += 1
                if status == spec["expect"]:
                    ok += 1

        procs0 = cpu_snapshot(spec.get("server_pid"))
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t_start = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(simulated_client(c, s) for c, s in zip(clients, sessions, strict=True))),
            spec["phase_timeout"],
        )
        elapsed = time.perf_counter() - t_start
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        procs1 = cpu_snapshot(spec.get("server_pid"))
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)

    latencies.sort()
    errors = sum(n for status, n in statuses.items() if not 200 <= status < 400) + sum(failures.values())
    client_cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {
        "requests": total,
        "completed": len(latencies),
        "ok": ok,
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "failures": dict(failures),
        "elapsed_s": elapsed,
        "setup_s": setup_s,
        "rps": ok / elapsed if elapsed else 0.0,
        "p50_ms": 1000 * percentile(latencies, 0.50) if latencies else None,
        "p90_ms": 1000 * percentile(latencies, 0.90) if latencies else None,
        "p99_ms": 1000 * percentile(latencies, 0.99) if latencies else None,
        "max_ms": 1000 * latencies[-1] if latencies else None,
        "mean_ms": 1000 * sum(latencies) / len(latencies) if latencies else None,
        "client_cpu_s": client_cpu,
        "client_cpu_ms_per_request": 1000 * client_cpu / max(len(latencies), 1),
        **cpu_usage(procs0, procs1, len(latencies), elapsed, client_cpu),
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = asyncio.run(run(spec))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
