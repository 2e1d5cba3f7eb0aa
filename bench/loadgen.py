"""The load generator of bench/registration.py, run as its own process so it has its own interpreter.

    .venv/bin/python bench/loadgen.py '<json spec>'

reads one phase's spec (see `run` below), drives the target with `concurrency` simulated
clients over keep-alive connections until `requests` registrations have been sent, and
prints one JSON object with the counts and latencies on stdout.

Each simulated client is one connection. In the "form" flow a client first GETs the form
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
            return await asyncio.wait_for(self._exchange(head + body), self.timeout)
        except BaseException:
            await self.close()
            raise

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
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, cookies, response.content

    async def close(self):
        await self.client.aclose()


CLIENTS = {"raw": RawClient, "httpx": HttpxClient}


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
    requests, concurrency, email_prefix, expect (status), timeout, client ("raw"|"httpx")."""
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
            while (n := next(counter)) < total:
                fields = applicant(spec["email_prefix"], n)
                if flow == "json":
                    body = json.dumps({**fields, "consent": True}).encode()
                else:
                    form = {**fields, "consent": "y"}
                    if "csrf_token" in session:
                        form["csrf_token"] = session["csrf_token"]
                    body = urlencode(form).encode()
                t0 = time.perf_counter()
                try:
                    status, _h, _c, _b = await client.request("POST", spec["post_path"], body, headers)
                except Exception as problem:  # a refused, reset or timed-out request is counted, not fatal
                    failures[type(problem).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[status] += 1
                if status == spec["expect"]:
                    ok += 1

        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t_start = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(simulated_client(c, s) for c, s in zip(clients, sessions, strict=True))),
            spec["phase_timeout"],
        )
        elapsed = time.perf_counter() - t_start
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)

    latencies.sort()
    errors = sum(count for status, count in statuses.items() if not 200 <= status < 400) + sum(failures.values())
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
        "client_cpu_per_request_us": 1e6 * client_cpu / max(len(latencies), 1),
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = asyncio.run(run(spec))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
