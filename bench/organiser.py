"""The organisers' registration list and CSV/XLSX export of a 100,000-registration event against a 1,000 one.

    .venv/bin/python bench/organiser.py [--big 100000] [--small 1000] [--repeat 20] [--export-repeat 10]

One run:
 1. takes its own PostgreSQL advisory lock, recreates the database eventsys_bench_organiser and
    migrates it with `flask db upgrade`;
 2. writes two published events with COPY, `--big` and `--small` registrations each: names in
    several scripts and languages, countries, affiliations, answers to two questions; about 8 %
    cancelled, seats for 80 % of the rest, the others waitlisted with numbers; a third of the
    confirmed checked in. Each event's counters and its registration_tally rows are computed from
    the rows written, then checked against a GROUP BY of the table (as tally.recount does);
 3. creates an organiser managing both and signs in through the login form with the app's test
    client, in this process: the times are Flask + SQL + Jinja, without network or server;
 4. per event, after 3 warm-up requests, times `--repeat` requests of: the first page; the middle
    page by registration order and by name (the cursor of the middle row, as Next would reach it);
    a search for a common surname; a search for one person's email. The two events take turns,
    request by request. Medians, p90 and the SQL statements per request are reported;
 5. per event, downloads the CSV `--export-repeat` times and the XLSX 3 times, each in a fresh
    subprocess that signs in and makes one warm-up request, then resets its peak RSS (Linux
    /proc/self/clear_refs), notes its RSS, downloads the whole file and reads the peak (VmHWM): the
    difference is the memory the export added, C allocations of psycopg and the zip writer included
    (tracemalloc would miss them); the largest over the runs is reported;
 6. prints the table, the ratios big/small against the targets (pages within 2x; the export's
    extra peak memory within 50 MB of the small event's), writes bench/results/organiser-<stamp>.json
    and drops the database, also on errors and Ctrl-C.

Exit status: 0 when the run completed (targets are reported, not enforced); 2 when another run holds
the lock; 1 otherwise.
"""

import argparse
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))
from registration import (  # noqa: E402  (helpers of the registration benchmark, shared)
    code_state,
    db_url,
    drop_database,
    log,
    machine_busy_percent,
    migrate_eventsys,
    recreate_database,
)

from eventsys.registration.mailboxes import mailbox_key  # noqa: E402

RESULTS = BENCH / "results"
DATABASE = "eventsys_bench_organiser"
RUN_LOCK_KEY = 0x6F7267616E  # "organ"
ORGANISER, PASSWORD = "organiser@bench.example.edu", "bench organiser password"
PAGE_TARGET, MEMORY_TARGET_MB = 2.0, 50.0
SEARCH_SURNAME = "Petrov"

#: per group: given names, family names (display:ascii for emails), family name first?, countries
PEOPLE = [
    ("Ivan:ivan Olga:olga Dmitry:dmitry Anna:anna Sergei:sergei Elena:elena",
     "Petrov:petrov Petrova:petrova Ivanov:ivanov Smirnova:smirnova Kuznetsov:kuznetsov Volkova:volkova",
     False, "RU RU RU KZ BY"),
    ("Иван:ivan Ольга:olga Дмитрий:dmitry Мария:maria",
     "Петров:petrov Соколова:sokolova Попов:popov Лебедева:lebedeva", True, "RU RU BY"),
    ("伟:wei 芳:fang 娜:na 敏:min 静:jing 磊:lei 洋:yang",
     "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 赵:zhao", True, "CN CN CN CN TW"),
    ("Wei:wei Fang:fang Jing:jing Lei:lei", "Wang:wang Li:li Zhang:zhang Chen:chen", False, "CN SG"),
    ("Olena:olena Andrii:andrii Iryna:iryna Taras:taras",
     "Shevchenko:shevchenko Kovalenko:kovalenko Bondarenko:bondarenko", False, "UA"),
    ("Emma:emma James:james Olivia:olivia Noah:noah", "Smith:smith Brown:brown Taylor:taylor Wilson:wilson",
     False, "GB US US AU CA"),
    ("Lukas:lukas Mia:mia Jonas:jonas Lea:lea", "Müller:mueller Schmidt:schmidt Schäfer:schaefer",
     False, "DE AT CH"),
    ("Carla:carla José:jose Lucía:lucia Mateo:mateo", "García:garcia Gómez:gomez Fernández:fernandez",
     False, "ES MX AR CO"),
    ("Yuki:yuki Haruto:haruto Sakura:sakura", "Tanaka:tanaka Suzuki:suzuki Sato:sato", False, "JP"),
    ("Amina:amina Omar:omar Layla:layla", "Haddad:haddad Nasser:nasser", False, "EG JO MA"),
]
AFFILIATIONS = ["Harbin Institute of Technology", "Bauman Moscow State Technical University", "清华大学",
                "Samara National Research University", "Kyiv Polytechnic Institute", "TU München",
                "Universidad Politécnica de Madrid", "Tohoku University", "MIT", "Beihang University",
                "Moscow Aviation Institute", "", "Airbus Defence and Space", "Cairo University"]
CATEGORIES = ["student", "faculty", "faculty", "industry", "other"]
DIETS = ["", "Vegetarian", "Halal", "Vegan"]
SESSIONS = ["Propulsion", "Orbital mechanics", "Materials", "Space law"]
REGISTRATION_COLUMNS = ("event_id, name, email, email_key, affiliation, country, category, answers, status,"
                        " waitlist_number, token, locale, created_at, consented_at, cancelled_at,"
                        " checked_in_at")


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(item.split(":")) for item in text.split()]


def people(count: int, rng: random.Random):
    """count (display name, ascii name, country) triples drawn from PEOPLE."""
    groups = [(_pairs(g), _pairs(f), first, countries.split()) for g, f, first, countries in PEOPLE]
    for _ in range(count):
        given, family, family_first, countries = rng.choice(groups)
        (g, g_ascii), (f, f_ascii) = rng.choice(given), rng.choice(family)
        name = (f + g if not g.isascii() else f"{f} {g}") if family_first else f"{g} {f}"
        yield name, f"{g_ascii}.{f_ascii}", rng.choice(countries)


def _insert_event(conn, slug: str, count: int, now: datetime) -> tuple[int, int, int]:
    """The event row and its two questions; returns (event id, diet question id, sessions question id)."""
    starts = now + timedelta(days=2)
    (event_id,) = conn.execute(
        "INSERT INTO event (slug, kind, mode, title, summary, description, starts_at, ends_at, timezone,"
        " venue, capacity, status, language, confirmed_count, waitlisted_count, waitlist_seq, created_at,"
        " updated_at) VALUES (%s, 'conference', 'in_person', %s, 'A benchmark event.', '', %s, %s,"
        " 'Asia/Shanghai', 'Main hall', 0, 'published', 'en', 0, 0, 0, %s, %s) RETURNING id",
        (slug, f"Benchmark Congress of {count}", starts, starts + timedelta(days=3), now, now),
    ).fetchone()
    questions = [(0, "Dietary needs", "single_choice", DIETS[1:]),
                 (1, "Sessions", "multiple_choice", SESSIONS)]
    ids = [conn.execute("INSERT INTO question (event_id, position, label, help_text, kind, required, options)"
                        " VALUES (%s, %s, %s, '', %s, false, %s) RETURNING id",
                        (event_id, position, label, kind, json.dumps(options))).fetchone()[0]
           for position, label, kind, options in questions]
    return event_id, ids[0], ids[1]


def create_event(conn, slug: str, count: int, seed: int) -> int:
    """An event with count registrations (COPY), its counters and its tally; returns its id."""
    rng, now = random.Random(seed), datetime.now(UTC).replace(microsecond=0)
    event_id, diet_id, sessions_id = _insert_event(conn, slug, count, now)
    capacity, confirmed, waitlisted, tally = int(count * 0.92 * 0.8), 0, 0, Counter()
    with conn.cursor().copy(f"COPY registration ({REGISTRATION_COLUMNS}) FROM STDIN") as copy:
        for n, (name, ascii_name, country) in enumerate(people(count, rng)):
            at = now - timedelta(days=60) + timedelta(seconds=n * 5_000_000 // count)
            status, number = ("cancelled", None) if rng.random() < 0.08 else ("confirmed", None)
            if status == "confirmed" and confirmed >= capacity:
                waitlisted += 1
                status, number = "waitlisted", waitlisted
            confirmed += status == "confirmed"
            tally[(status, country)] += 1
            diet = rng.choice(DIETS)
            answers = {str(sessions_id): rng.sample(SESSIONS, rng.randint(1, 3))}
            answers.update({str(diet_id): diet} if diet else {})
            arrived = at + timedelta(days=61) if status == "confirmed" and rng.random() < 0.33 else None
            cancelled_at = at + timedelta(days=1) if status == "cancelled" else None
            email = f"{ascii_name}.{n}@example.edu"
            copy.write_row((
                event_id, name, email, mailbox_key(email), rng.choice(AFFILIATIONS), country,
                rng.choice(CATEGORIES), json.dumps(answers, ensure_ascii=False), status, number,
                secrets.token_urlsafe(24), "en", at, at, cancelled_at, arrived,
            ))
    conn.execute("UPDATE event SET capacity = %s, confirmed_count = %s, waitlisted_count = %s,"
                 " waitlist_seq = %s WHERE id = %s", (capacity, confirmed, waitlisted, waitlisted, event_id))
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO registration_tally (event_id, status, country, count)"
                           " VALUES (%s, %s, %s, %s)", [(event_id, s, c, k) for (s, c), k in tally.items()])
    recount = conn.execute("SELECT status, country, count(*) FROM registration WHERE event_id = %s"
                           " GROUP BY status, country", (event_id,)).fetchall()
    if {(s, c): k for s, c, k in recount} != dict(tally):
        raise RuntimeError(f"{slug}: the tally written does not match the rows")
    return event_id


def make_app(database_url: str):
    """The app on the benchmark database, as deployed but without Redis (memory broker and limiter)."""
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_SERVER"):
        os.environ.pop(name, None)
    from eventsys import create_app

    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def signed_in_client(app):
    """A test client signed in as the organiser through the real login form."""
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"csrf_token": token, "email": ORGANISER, "password": PASSWORD})
    if answer.status_code not in (302, 303) or "/login" in answer.location:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return client


def create_organiser(app, event_ids: list[int]) -> None:
    from eventsys.accounts import services as accounts
    from eventsys.database import db

    with app.app_context():
        user = accounts.create_user(ORGANISER, PASSWORD, name="Bench Organiser")
        for event_id in event_ids:
            accounts.add_manager(event_id, user)
        db.session.commit()


def page_urls(conn, event_id: int) -> dict[str, str]:
    """The measured pages of one event; the middle cursors are those of the middle row of each order."""
    from eventsys.registration.listing import Sort, encode_cursor

    count = conn.execute("SELECT count(*) FROM registration WHERE event_id = %s", (event_id,)).fetchone()[0]
    middle = {sort: conn.execute("SELECT id, name, email FROM registration WHERE event_id = %s"
                                 f" ORDER BY {order} OFFSET %s LIMIT 1", (event_id, count // 2)).fetchone()
              for sort, order in ((Sort.oldest, "id"), (Sort.name, "name, id"))}
    cursor = {sort: encode_cursor(sort, SimpleNamespace(id=row[0], name=row[1]))
              for sort, row in middle.items()}
    base = f"/manage/events/{event_id}/registrations"
    return {
        "first page": base,
        "middle page": f"{base}?after={cursor[Sort.oldest]}",
        "middle page by name": f"{base}?sort=name&after={cursor[Sort.name]}",
        f"search '{SEARCH_SURNAME}'": f"{base}?q={SEARCH_SURNAME}",
        "search one email": f"{base}?q={quote(middle[Sort.oldest][2])}",
    }


def time_pages(app, client, urls: dict[str, dict[str, str]], repeat: int) -> dict[str, dict[str, dict]]:
    """Median and p90 milliseconds, and SQL statements, of each page of each event. The events take turns
    request by request, so that load from elsewhere on the machine falls on both alike."""
    import sqlalchemy as sa

    from eventsys.database import db

    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *_: statements.append(1))
    times = {size: {label: [] for label in pages} for size, pages in urls.items()}
    counted = {size: {} for size in urls}
    for label in next(iter(urls.values())):
        for turn in range(3 + repeat):
            for size, pages in urls.items():
                statements.clear()
                started = time.perf_counter()
                answer = client.get(pages[label])
                page = answer.get_data(as_text=True)
                elapsed = (time.perf_counter() - started) * 1000
                assert answer.status_code == 200 and 'id="registration-' in page, pages[label]
                if turn >= 3:  # the first three warm up
                    times[size][label].append(elapsed)
                    counted[size][label] = len(statements)
    return {size: {label: {"median_ms": statistics.median(t), "p90_ms": sorted(t)[int(0.9 * repeat)],
                           "statements": counted[size][label]} for label, t in by_label.items()}
            for size, by_label in times.items()}


def _memory_kb() -> dict[str, int]:
    with open("/proc/self/status") as status:
        fields = (line.split(":", 1) for line in status)
        return {k: int(v.split()[0]) for k, v in fields if k in ("VmRSS", "VmHWM")}


def child_export(args) -> None:
    """In a fresh process: download one export; print its time, size and the peak memory it added."""
    app = make_app(args.database_url)
    client = signed_in_client(app)
    client.get(f"/manage/events/{args.child_event}/registrations")  # imports and caches warmed up
    # Reset the peak RSS (VmHWM, which is also ru_maxrss): start-up's own peak must not hide the export's.
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    before = _memory_kb()["VmRSS"]
    started = time.perf_counter()
    url = f"/manage/events/{args.child_event}/registrations.{args.child_export}"
    answer = client.get(url, buffered=False)
    size = lines = 0
    for chunk in answer.response:
        size, lines = size + len(chunk), lines + chunk.count(b"\n")
    answer.close()
    elapsed = time.perf_counter() - started
    after = _memory_kb()["VmHWM"]
    print(json.dumps({"seconds": elapsed, "bytes": size, "lines": lines, "rss_before_mb": before / 1024,
                      "peak_added_mb": (after - before) / 1024, "streamed": answer.is_streamed}))


def time_export(database_url: str, event_id: int, rows: int, fmt: str, repeat: int) -> dict:
    """Median seconds and the largest peak memory added over `repeat` downloads, one subprocess each."""
    runs = []
    for _ in range(repeat):
        command = [sys.executable, __file__, "--child-export", fmt, "--child-event", str(event_id),
                   "--database-url", database_url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"export child failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if fmt == "csv" and runs[-1]["lines"] != rows + 1:
            raise RuntimeError(f"the CSV has {runs[-1]['lines']} lines for {rows} registrations")
    return {"median_s": statistics.median(r["seconds"] for r in runs), "bytes": runs[0]["bytes"],
            "peak_added_mb": max(r["peak_added_mb"] for r in runs), "rss_before_mb": runs[0]["rss_before_mb"],
            "streamed": all(r["streamed"] for r in runs), "runs": len(runs)}


def print_report(report: dict) -> None:
    big, small = report["events"]["big"], report["events"]["small"]
    print(f"\n{'page (median of ' + str(report['repeat']) + ')':<26} {'small ms':>9} {'big ms':>9}"
          f" {'p90 small':>10} {'p90 big':>9} {'SQL':>7} {'big/small':>10}")
    for label, s in small["pages"].items():
        b = big["pages"][label]
        ratio = b["median_ms"] / s["median_ms"]
        verdict = "  MET" if ratio <= PAGE_TARGET else "  MISSED"
        print(f"{label:<26} {s['median_ms']:9.1f} {b['median_ms']:9.1f} {s['p90_ms']:10.1f}"
              f" {b['p90_ms']:9.1f} {s['statements']:>3}/{b['statements']:<3} {ratio:9.2f}x{verdict}")
    print(f"\n{'export':<6} {'small s':>8} {'big s':>8} {'small MB':>9} {'big MB':>8} {'peak+ small':>12}"
          f" {'peak+ big':>10} {'difference':>11}")
    for fmt in small["exports"]:
        s, b = small["exports"][fmt], big["exports"][fmt]
        extra = b["peak_added_mb"] - s["peak_added_mb"]
        verdict = "MET" if extra <= MEMORY_TARGET_MB else "MISSED"
        print(f"{fmt:<6} {s['median_s']:8.2f} {b['median_s']:8.2f} {s['bytes'] / 2**20:9.2f}"
              f" {b['bytes'] / 2**20:8.2f} {s['peak_added_mb']:10.1f}MB {b['peak_added_mb']:8.1f}MB"
              f" {extra:9.1f}MB  {verdict}")
    print(f"targets: each page of the big event within {PAGE_TARGET}x of the small one's; the export's added"
          f" peak memory within {MEMORY_TARGET_MB:.0f} MB of the small one's.")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--big", type=int, default=100_000, help="registrations of the big event")
    parser.add_argument("--small", type=int, default=1_000, help="registrations of the small event")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--export-repeat", type=int, default=10, help="CSV downloads per event (XLSX: 3)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without database")
    parser.add_argument("--keep-database", action="store_true", help="leave the database for inspection")
    for hidden in ("--child-export", "--child-event", "--database-url"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def measure(args, database_url: str, report: dict) -> None:
    """Fill the database, then time the pages and the exports of both events."""
    with psycopg.connect(database_url) as conn:
        started = time.monotonic()
        ids = {size: create_event(conn, f"bench-{size}", getattr(args, size), seed)
               for seed, size in enumerate(("big", "small"))}
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        log(f"{args.big} + {args.small} registrations written in {time.monotonic() - started:.1f}s")
        app = make_app(database_url)
        create_organiser(app, list(ids.values()))
        client = signed_in_client(app)
        log(f"pages x{args.repeat}, the two events taking turns")
        urls = {size: page_urls(conn, ids[size]) for size in ("small", "big")}
        pages = time_pages(app, client, urls, args.repeat)
        for size in ("small", "big"):
            log(f"{size} event: exports, one subprocess per download")
            rows = getattr(args, size)
            report["events"][size] = {
                "registrations": rows, "pages": pages[size],
                "exports": {"csv": time_export(database_url, ids[size], rows, "csv", args.export_repeat),
                            "xlsx": time_export(database_url, ids[size], rows, "xlsx", 3)},
            }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child_export:
        child_export(args)
        return 0
    stamp, database_url = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"), db_url(args.pg, DATABASE)
    lock = psycopg.connect(db_url(args.pg, "postgres"), autocommit=True)
    if not lock.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,)).fetchone()[0]:
        log("another bench/organiser.py run holds the lock")
        return 2
    report = {"timestamp": stamp, "command": " ".join([".venv/bin/python bench/organiser.py", *sys.argv[1:]]),
              "repeat": args.repeat, "eventsys_code": code_state(),
              "busy_percent_before_run": machine_busy_percent(1.0), "events": {}}
    try:
        recreate_database(args.pg, DATABASE)
        migrate_eventsys(database_url)
        measure(args, database_url, report)
        print_report(report)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"organiser-{stamp}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        log(f"results written to bench/results/organiser-{stamp}.json")
        return 0
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    except Exception as problem:  # noqa: BLE001 - reported, then the database is dropped
        log(f"FAILED: {problem}")
        return 1
    finally:
        if not args.keep_database:
            drop_database(args.pg, DATABASE)
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
