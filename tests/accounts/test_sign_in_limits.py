"""The sign-in limit across web processes, and sign-in while its Redis is down."""

import subprocess

import httpx

from tests import servers
from tests.factories import ORGANISER_PASSWORD
from tests.formpage import read_form


def _organiser_on(database_url: str, email: str) -> None:
    """Create the organiser with the real command, in the database the server will use."""
    env = servers.app_environment(DATABASE_URL=database_url)
    subprocess.run([str(servers.VENV_BIN / "flask"), "--app", "eventsys", "create-user", email,
                    "--password", ORGANISER_PASSWORD], cwd=servers.ROOT, env=env, check=True,
                   capture_output=True)


def _database() -> str:
    url = servers.create_postgres_database("eventsys_limits")
    env = servers.app_environment(DATABASE_URL=url)
    subprocess.run([str(servers.VENV_BIN / "flask"), "--app", "eventsys", "db", "upgrade"],
                   cwd=servers.ROOT, env=env, check=True, capture_output=True)
    return url


def _sign_in(http: httpx.Client, email: str, password: str) -> httpx.Response:
    page = http.get("/login")
    if page.status_code != 200:
        return page
    token = read_form(page.text).fields["csrf_token"]
    return http.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_sign_in_still_works_when_the_limit_counters_redis_is_down():
    redis, redis_url = servers.start_redis()
    url = _database()
    try:
        _organiser_on(url, "li.wei@example.org")
        server, base = servers.start_gunicorn(
            servers.app_environment(DATABASE_URL=url, REDIS_URL=redis_url), workers=1, threads=2)
        try:
            servers.stop(redis)
            with httpx.Client(base_url=base, timeout=20) as http:
                wrong = _sign_in(http, "li.wei@example.org", "not the password")
                assert wrong.status_code == 422
                response = _sign_in(http, "li.wei@example.org", ORGANISER_PASSWORD)
                assert response.status_code == 303, servers.output_of(server)[-3000:]
                assert response.headers["Location"] == "/manage/"
                assert http.get("/manage/").status_code == 200
            assert "falling back to in-memory" in servers.output_of(server).lower()
        finally:
            servers.stop(server)
    finally:
        servers.stop(redis)
        servers.drop_postgres_database(url)


def test_the_sign_in_limit_is_shared_by_every_web_process():
    redis, redis_url = servers.start_redis()
    url = _database()
    try:
        server, base = servers.start_gunicorn(
            servers.app_environment(DATABASE_URL=url, REDIS_URL=redis_url, LOGIN_RATE_LIMIT="10 per minute"),
            workers=2, threads=2)
        try:
            answers = []
            for _ in range(30):
                # A new connection each time, so both processes get their share of the attempts.
                with httpx.Client(base_url=base, timeout=20) as http:
                    answers.append(_sign_in(http, "nobody@example.org", "wrong password").status_code)
            assert set(answers) <= {422, 429}
            assert answers.count(422) <= 10, answers
            assert answers[-1] == 429
        finally:
            servers.stop(server)
    finally:
        servers.stop(redis)
        servers.drop_postgres_database(url)
