"""At the door, with a phone: the desk reads a ticket's QR code through the camera, a mistake is undone,
and the badge is printed.

Chromium's fake camera plays a video of the ticket's QR code (fake_camera.py); the
desk's script reads it with jsQR, served from what `make setup` installed from npm.
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from eventsys.database import db
from eventsys.registration import services
from eventsys.registration.models import Registration
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.fake_camera import qr_video
from tests.factories import ORGANISER_PASSWORD, applicant, make_organiser, make_running_event

#: a desk screen, and a 390-pixel phone held by the person at the door
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
              "has_touch": True},
}


@pytest.fixture
def camera(browser, tmp_path):
    """Chromium whose camera shows the QR code of the video file named by the test (camera(payload))."""
    launched = []

    def showing(payload: str):
        video = qr_video(payload, tmp_path / "ticket.y4m")
        launched.append(browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]))
        return launched[-1]

    yield showing
    for chromium in launched:
        chromium.close()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: nothing to scroll sideways)."""
    # Not window.innerWidth: a phone zooms out to show a page wider than itself, and innerWidth grows with it.
    return page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]


@pytest.mark.parametrize("screen", SCREENS)
def test_the_door_checks_a_ticket_in_by_camera_and_undoes_it(app, live_server, camera, screen):
    event = make_running_event(title="Forum on Lunar Exploration", timezone="Asia/Shanghai")
    make_organiser("door@example.org", event)
    person = services.register(event, applicant(1, name="Мария Соколова", category="student",
                                                affiliation="Samara University"))
    context = camera(person.checkin_code).new_context(locale="en-GB", timezone_id="Asia/Shanghai",
                                                      **SCREENS[screen])
    context.grant_permissions(["camera"], origin=live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, live_server, "door@example.org")

    page.goto(f"{live_server}/manage/events/{event.id}/checkin")
    assert overflow(page) <= 0
    page.get_by_role("button", name="Scan with the camera").click()
    # The camera reads the code and the desk checks her in: name, category and institution, large.
    expect(page.locator("#desk-headline")).to_have_text("Checked in: Мария Соколова")
    expect(page.locator("#desk-name")).to_have_text("Мария Соколова")
    expect(page.locator("#desk-category")).to_have_text("Student")
    expect(page.locator("#desk-affiliation")).to_have_text("Samara University")
    expect(page.locator("#checked-in-count")).to_have_text("1")
    assert overflow(page) <= 0

    # The wrong person was let in: undo. The camera goes on, but the ticket still in view is not read again.
    page.get_by_role("button", name="Undo check-in").click()
    expect(page.locator("#desk-headline")).to_have_text("Check-in taken back: Мария Соколова")
    expect(page.locator("#camera-status")).to_have_text("Hold the QR code in front of the camera.")
    page.wait_for_timeout(1500)
    expect(page.locator("#desk-headline")).to_have_text("Check-in taken back: Мария Соколова")
    expect(page.locator("#checked-in-count")).to_have_text("0")
    db.session.expire_all()
    arrived = sa.select(Registration.checked_in_at).where(Registration.id == person.id)
    assert db.session.scalar(arrived) is None

    page.get_by_role("button", name="Stop the camera").click()
    expect(page.get_by_role("button", name="Scan with the camera")).to_be_visible()

    # Her badge is printed from the event's menu: one per page, her name and the code the desk reads.
    page.get_by_role("link", name="Badges").click()
    page.get_by_label("One badge per page (A6)").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Make the PDF").click()
    badge = PdfReader(download.value.path())
    text = " ".join(sheet.extract_text() for sheet in badge.pages)
    assert "Мария Соколова" in text and person.checkin_code_shown in text
    assert len(badge.pages) == 1
    assert overflow(page) <= 0
    assert blocked == []
    context.close()
