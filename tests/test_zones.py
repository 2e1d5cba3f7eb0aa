"""Times by place, in the reader's language, with the reader's own clock beside, across daylight saving."""

from datetime import UTC, datetime

import pytest

from eventsys.timezones import in_zone, in_zones, place_of

# Munich's clocks go forward on Sunday 28 March 2027, Boston's on Sunday 14 March 2027; Harbin's never.
BEFORE_MUNICH, AFTER_MUNICH = datetime(2027, 3, 27, 2, tzinfo=UTC), datetime(2027, 3, 29, 2, tzinfo=UTC)
BEFORE_BOSTON, AFTER_BOSTON = datetime(2027, 3, 13, 2, tzinfo=UTC), datetime(2027, 3, 15, 2, tzinfo=UTC)


@pytest.mark.parametrize(("language", "written"), [
    ("en", "Sat, 27 Mar 2027, 10:00 Harbin time (GMT+08:00)"),
    ("ru", "сб, 27 мар. 2027\u202fг., 10:00 (Харбин, GMT+08:00)"),  # CLDR: a narrow no-break space before г.
    ("zh", "2027年3月27日周六 哈尔滨时间 10:00（GMT+08:00）"),
])
def test_a_time_is_written_by_place_in_the_reader_s_language(app, language, written):
    assert in_zone(BEFORE_MUNICH, "Asia/Harbin", language) == written


def test_harbin_seen_from_munich_in_the_week_its_clocks_change(app):
    assert in_zones(BEFORE_MUNICH, "Asia/Harbin", "Europe/Berlin", "en").endswith(" / 03:00 Berlin time")
    assert in_zones(AFTER_MUNICH, "Asia/Harbin", "Europe/Berlin", "en").endswith(" / 04:00 Berlin time")
    assert in_zones(AFTER_MUNICH, "Asia/Harbin", "Europe/Berlin", "ru").endswith(" / 04:00 (Берлин)")


def test_harbin_seen_from_boston_in_the_week_its_clocks_change_a_day_behind(app):
    before = in_zones(BEFORE_BOSTON, "Asia/Harbin", "America/New_York", "en")
    after = in_zones(AFTER_BOSTON, "Asia/Harbin", "America/New_York", "en")
    assert before.endswith(" / Fri, 12 Mar 2027, 21:00 New York time")
    assert after.endswith(" / Sun, 14 Mar 2027, 22:00 New York time")
    assert "纽约时间" in in_zones(AFTER_BOSTON, "Asia/Harbin", "America/New_York", "zh")


def test_no_second_time_where_the_reader_s_clock_shows_the_same(app):
    alone = in_zone(BEFORE_MUNICH, "Asia/Harbin", "en")
    assert in_zones(BEFORE_MUNICH, "Asia/Harbin", "Asia/Shanghai", "en") == alone
    assert in_zones(BEFORE_MUNICH, "Asia/Harbin", None, "en") == alone
    assert in_zones(BEFORE_MUNICH, "Asia/Harbin", "Not/AZone", "en") == alone


def test_places_are_named_as_their_readers_name_them(app):
    assert [place_of("Asia/Shanghai", lang) for lang in ("en", "ru", "zh")] == ["Beijing", "Пекин", "北京"]
    assert place_of("Europe/Moscow", "ru") == "Москва" and place_of("Europe/Kyiv", "ru") == "Киев"
