"""A real browser (Debian's Chromium, driven by Playwright) against eventsys served by gunicorn."""

import os
from pathlib import Path

import pytest

from tests import servers
from tests.conftest import TEST_PASSPORT_KEY

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: screenshots of failed browser tests land here
ARTIFACTS = servers.ROOT / "test-artifacts"
#: Chromium as root in a sandbox-less container, with nothing that calls home (the network is closed)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test, so the page fixture knows to take a screenshot."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium; skipped when it is not installed, except in CI where that is a failure."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (make test installs it with apt-get)"
        if servers.IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; its screenshot is saved to test-artifacts/ when the test fails."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Moscow")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def live_server(sqlite_url, mail_dir):
    """eventsys under gunicorn on the session's SQLite database, delivering mail in-process to files."""
    # The tests' passport key: what a test (or the demo) stored, the server can read.
    env = servers.app_environment(DATABASE_URL=sqlite_url, MAIL_FILE_DIR=str(mail_dir),
                                  PASSPORT_KEYS=TEST_PASSPORT_KEY)
    process, base_url = servers.start_gunicorn(env, workers=1, threads=4)
    yield base_url
    servers.stop(process)
