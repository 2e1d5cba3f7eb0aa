"""In a real browser: a visitor switches the page to Chinese and registers in it; her email follows."""

import re
import time

import sqlalchemy as sa
from playwright.sync_api import expect

from eventsys.database import db
from eventsys.mail.models import OutboundEmail
from eventsys.registration.models import Registration
from tests.factories import make_event


def test_a_visitor_switches_to_chinese_and_registers_in_chinese(app, live_server, page):
    event = make_event(title="International Symposium on Intelligent Microsystems", slug="microsystems")
    page.goto(f"{live_server}/events/{event.slug}/register")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    expect(page).to_have_url(re.compile(rf"/events/{event.slug}/register$"))
    page.get_by_role("textbox", name="姓名", exact=True).fill("王小明")
    page.get_by_label("电子邮箱").fill("wang.xiaoming@example.org")
    page.get_by_label("学校或单位").fill("哈尔滨工业大学")
    page.get_by_label("国家/地区").select_option(label="中国")
    page.get_by_label("您的身份").select_option("student")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name=re.compile("报名")).click()
    expect(page.locator("#status")).to_have_text("您的名额已确认。")

    # The choice is remembered: the next page is Chinese too, and so is everything sent to her.
    page.goto(f"{live_server}/events/{event.slug}")
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    db.session.expire_all()
    registration = db.session.scalars(sa.select(Registration)).one()
    assert (registration.name, registration.country, registration.locale) == ("王小明", "CN", "zh")
    # Her zone was taken from her browser (Moscow, the browser context's): she chose nothing.
    assert registration.timezone == "Europe/Moscow"
    # Delivered in the server's process (mail to files): wait for the message to be rendered.
    deadline = time.monotonic() + 15
    while True:
        db.session.expire_all()
        email = db.session.scalars(sa.select(OutboundEmail).where(
            OutboundEmail.registration_id == registration.id)).one()
        if email.subject or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert email.locale == "zh"
    assert email.subject == "报名已确认：International Symposium on Intelligent Microsystems"
    assert "尊敬的王小明：" in email.text_body
