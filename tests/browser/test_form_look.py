"""Forms as people see them: the required marker beside its label, fields in line, buttons that differ."""

import re

import pytest
from playwright.sync_api import expect

from eventsys.registration import services
from eventsys.registration.models import QuestionKind
from tests.browser.test_phone_checkin import SCREENS, sign_in
from tests.factories import add_question, applicant, make_event, make_organiser


def _box(locator) -> dict:
    return locator.bounding_box()


@pytest.mark.parametrize("screen", SCREENS)
def test_required_markers_sit_in_their_labels_and_the_inputs_line_up(app, live_server, browser, screen):
    event = make_event(title="Forum on Deep-Space Communication", capacity=40)
    session = add_question(event, QuestionKind.single_choice, "Which session will you attend?", required=True,
                           options=["Deep-space networks", "Optical links"])
    context = browser.new_context(locale="en-GB", **SCREENS[screen])
    page = context.new_page()
    page.goto(f"{live_server}/events/{event.slug}/register")

    name_label = page.locator("label[for=name]")
    for label in (name_label, page.locator(f'label[for="q_{session.id}"]')):  # a text box, and radios
        marker = label.locator(".required")
        expect(marker).to_have_text("\u00a0*")
        label_box, marker_box = _box(label), _box(marker)
        assert abs(marker_box["y"] - label_box["y"]) < 4, "the marker is on the label's own line"
        assert marker_box["x"] > label_box["x"], "after the label's words, not under them"
    label_box = _box(name_label)
    fields = ("name", "email", "affiliation", "country")
    lefts = {round(_box(page.locator(f"#{field}"))["x"]) for field in fields}
    assert len(lefts) == 1, f"the inputs start at one edge: {lefts}"
    assert round(_box(page.locator("#name"))["x"]) == round(label_box["x"]), "an input starts under its label"
    context.close()


def test_the_password_and_date_time_inputs_are_styled_and_preview_is_not_send(app, live_server, browser):
    event = make_event(title="Lecture on Orbital Mechanics")
    services.register(event, applicant(1))
    make_organiser("office@example.org", event)
    context = browser.new_context(locale="en-GB", **SCREENS["desktop"])
    page = context.new_page()
    page.goto(f"{live_server}/login")
    text_border = page.locator("#email").evaluate("e => getComputedStyle(e).borderTopColor")
    password_border = page.locator("#password").evaluate("e => getComputedStyle(e).borderTopColor")
    assert password_border == text_border, "the password box looks like the other boxes"
    sign_in(page, live_server, "office@example.org")

    page.goto(f"{live_server}/manage/events/new")
    starts = page.locator("input[type=datetime-local]").first
    assert starts.evaluate("e => getComputedStyle(e).borderTopColor") == text_border

    page.goto(f"{live_server}/manage/events/{event.id}/messages/new")
    page.get_by_label("Subject").fill("Room change")
    page.get_by_label(re.compile("Message")).first.fill("The lecture moves to Hall 2.")
    page.locator("input[name=statuses][value=confirmed]").check()
    page.get_by_role("button", name="Preview").click()
    send = page.get_by_role("button", name=re.compile("Send to 1 person"))
    expect(send).to_be_visible()
    background = "e => getComputedStyle(e).backgroundColor"
    assert page.get_by_role("button", name="Preview").evaluate(background) != send.evaluate(background)
    context.close()
