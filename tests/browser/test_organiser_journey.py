"""In a real browser: an attendee registers; an organiser finds, checks in and writes to her."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.registration.models import Registration
from tests.factories import ORGANISER_PASSWORD, make_event, make_organiser


def test_register_find_check_in_and_message(app, live_server, page):
    event = make_event(title="Lecture: Shape-Memory Polymers in Deployable Space Structures", capacity=30,
                       slug="shape-memory-lecture")
    make_organiser("coordinator@example.org", event)
    # Every script the pages run comes from a file: the Content-Security-Policy blocks nothing on the way.
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)

    # The attendee, from Kazan, registers through the public page.
    page.goto(f"{live_server}/events/{event.slug}/register")
    page.get_by_label("Full name").fill("Aigul Sharipova")
    page.get_by_label("Email").fill("aigul.sharipova@example.org")
    page.get_by_label("University or organisation").fill("Kazan Federal University")
    page.get_by_label("Country").select_option("RU")
    page.get_by_label("You are").select_option("student")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=re.compile("Register")).click()
    expect(page.locator("#status")).to_contain_text("Your seat is confirmed")
    db.session.expire_all()
    code = db.session.scalars(sa.select(Registration.checkin_code)).one()
    shown = f"{code[:4]}-{code[4:]}"
    expect(page.locator("#check-in-text")).to_have_text(shown)
    # The page shows her check-in code, never the token of its own address, which can cancel.
    token = db.session.scalars(sa.select(Registration.token)).one()
    assert token not in page.locator("main").inner_text()

    # The organiser signs in and finds her.
    page.goto(f"{live_server}/manage/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill("coordinator@example.org")
    page.get_by_label("Password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=event.title)).to_be_visible()
    page.get_by_role("link", name=event.title).click()
    page.get_by_role("link", name=re.compile("^Registrations")).first.click()
    page.locator("input[name=q]").fill("sharip")
    page.locator("input[name=q]").press("Enter")
    expect(page.get_by_role("cell", name="Aigul Sharipova", exact=True)).to_be_visible()

    # At the door, her code is typed (lower case, as read out) into the check-in desk: once, then "already".
    page.goto(f"{live_server}/manage/events/{event.id}/checkin")
    # The lecture is a month away: the desk asks before letting her in.
    page.locator("#code").fill(shown.lower())
    page.locator("#code").press("Enter")
    expect(page.locator("#desk-headline")).to_have_text("The event does not run today. Check in anyway?")
    expect(page.locator("#checked-in-count")).to_have_text("0")
    page.get_by_role("button", name="Check in anyway").click()
    expect(page.locator("#desk-headline")).to_have_text("Checked in: Aigul Sharipova")
    expect(page.locator("#checked-in-count")).to_have_text("1")
    page.locator("#code").fill(code)
    page.locator("#code").press("Enter")
    expect(page.locator("#desk-headline")).to_contain_text("Already checked in at")

    # A message to every confirmed registrant: preview with the count, then send.
    page.goto(f"{live_server}/manage/events/{event.id}/messages/new")
    expect(page.locator("#speaker-filters")).to_be_hidden()
    page.get_by_label("Speakers of this event").check()
    expect(page.locator("#registrant-filters")).to_be_hidden()
    expect(page.locator("#speaker-filters")).to_be_visible()
    page.get_by_label("Registrants", exact=True).check()
    page.get_by_label("Confirmed", exact=True).check()  # nothing is ticked for the organiser
    page.get_by_label("Subject").fill("Room change: Hall 2")
    page.get_by_label("Message (plain text)").fill("The lecture moves to Hall 2 of the Main Building.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#recipient-count")).to_contain_text("1")
    # The preview is the email itself, drawn in its sandboxed frame.
    expect(page.frame_locator("#preview-html").get_by_text("The lecture moves to Hall 2")).to_be_visible()
    page.get_by_role("button", name="Send to 1 person").click()
    expect(page.get_by_role("status")).to_contain_text("is on its way")
    expect(page.get_by_role("cell", name="Room change: Hall 2")).to_be_visible()
    page.get_by_role("link", name="Room change: Hall 2").click()
    expect(page.frame_locator("#message-html").get_by_text("The lecture moves to Hall 2")).to_be_visible()

    # In the outbox, her confirmation opens as she received it, from its own framed document.
    page.goto(f"{live_server}/manage/events/{event.id}/outbox?state=sent")
    page.get_by_role("link", name="Registration confirmed").click()
    expect(page.frame_locator("#email-html").get_by_text("Aigul Sharipova").first).to_be_visible()

    db.session.expire_all()
    kinds = db.session.scalars(
        sa.select(OutboundEmail.kind).where(OutboundEmail.recipient == "aigul.sharipova@example.org")
        .order_by(OutboundEmail.id)
    ).all()
    assert kinds == ["registration_confirmed", "mailing"]
    assert blocked == []
