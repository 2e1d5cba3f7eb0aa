"""In a real browser in Moscow: the event page adds the reader's own clock to its start, end and slots."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from eventsys.database import db
from eventsys.events.models import ProgrammeItem
from tests.factories import make_event

#: Saturday 27 March 2027, 10:00 in Harbin: 05:00 in Moscow (UTC+3 all year)
STARTS = datetime(2027, 3, 27, 2, tzinfo=UTC)


def test_start_end_and_every_programme_slot_show_the_reader_s_time(app, live_server, page):
    event = make_event(
        title="Forum on Student Micro/nano-satellites",
        slug="satellites",
        timezone="Asia/Harbin",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=8),
    )
    db.session.add(
        ProgrammeItem(
            event_id=event.id,
            title="Opening",
            starts_at=STARTS + timedelta(hours=1),
            ends_at=STARTS + timedelta(hours=2),
        )
    )
    db.session.commit()
    page.goto(f"{live_server}/events/{event.slug}")
    times = page.locator("time[data-local]")
    expect(times).to_have_count(3)  # start, end, the one slot
    start, end, slot = (times.nth(n).get_attribute("data-local-text") for n in range(3))
    assert "05:00" in start and "your time" in start, start
    assert "13:00" in end, end  # 18:00 in Harbin
    assert "06:00" in slot and "07:00" in slot, slot  # 11:00–12:00 in Harbin
    assert "GMT+3" in slot or "MSK" in slot, slot
