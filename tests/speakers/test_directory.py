"""The speaker directory: search by name or email, filters, a page at a time, in a fixed number of queries."""

import re
from datetime import date, timedelta

from eventsys.database import db, utcnow
from eventsys.speakers import directory
from eventsys.speakers.models import Engagement, Institution, Speaker, SpeakerRole
from tests.conftest import both_databases
from tests.factories import make_event
from tests.querycount import counting_statements


def _institution(name: str, country: str, partner: bool = False) -> Institution:
    institution = Institution(name=name, country=country, partner=partner,
                              partner_since=date(2019, 5, 1) if partner else None)
    db.session.add(institution)
    return institution


def _speaker(name: str, country: str = "CN", institution: Institution | None = None, email: str | None = None,
             honours: tuple[str, ...] = (), expertise: tuple[str, ...] = (), title: str = "Prof.") -> Speaker:
    speaker = Speaker(name=name, title=title, country=country, institution=institution, email=email)
    speaker.honours.extend(honours)
    speaker.expertise.extend(expertise)
    db.session.add(speaker)
    db.session.commit()
    return speaker


def _names(response) -> list[str]:
    """The speakers listed in the directory's table, in order."""
    table = response.text.split('id="speakers"', 1)[1] if 'id="speakers"' in response.text else ""
    return re.findall(r'<a href="/manage/speakers/\d+">([^<]*)</a>', table)


def _cast() -> dict[str, Speaker]:
    hit = _institution("Harbin Institute of Technology", "CN", partner=True)
    bmstu = _institution("Bauman Moscow State Technical University", "RU", partner=True)
    delft = _institution("Delft University of Technology", "NL")
    db.session.commit()
    return {
        "leng": _speaker("Jinsong Leng", "CN", hit, "leng@hit.example.edu", ("IEEE Fellow",),
                         ("shape-memory polymers",), title="Academician"),
        "yolkin": _speaker("Ёлкин Сергей", "RU", bmstu, "s.yolkin@bmstu.example.ru",
                           ("Member of the Russian Academy of Sciences",), ("rocket engines",)),
        "visser": _speaker("Anna Visser", "NL", delft, "a.visser@tudelft.example.nl",
                           ("IEEE Fellow",), ("small satellites", "orbital debris")),
        "nomail": _speaker("Wang Lei", "CN", None, None, (), ("orbital debris",), title="Dr."),
    }


@both_databases
def test_search_ignores_case_and_finds_names_and_addresses_in_any_alphabet(app, office):
    _cast()
    assert _names(office.get("/manage/speakers?q=LENG")) == ["Academician Jinsong Leng"]
    assert _names(office.get("/manage/speakers?q=tudelft")) == ["Prof. Anna Visser"]
    # Cyrillic: PostgreSQL folds it with its UTF-8 ctype, SQLite with Python's lower() lent to it.
    assert _names(office.get("/manage/speakers?q=ёлкин")) == ["Prof. Ёлкин Сергей"]
    assert _names(office.get("/manage/speakers?q=ЁЛКИН")) == ["Prof. Ёлкин Сергей"]
    # What a person types is taken literally: % and _ are no wildcards.
    assert _names(office.get("/manage/speakers?q=%25")) == []
    assert _names(office.get("/manage/speakers?q=a_v")) == []
    page = office.get("/manage/speakers?q=nobody-like-this")
    assert page.status_code == 200 and "No speaker matches." in page.text


@both_databases
def test_each_filter_narrows_the_directory(app, office):
    cast = _cast()
    hit_id = cast["leng"].institution_id
    everyone = _names(office.get("/manage/speakers"))
    assert everyone == ["Prof. Anna Visser", "Academician Jinsong Leng", "Dr. Wang Lei", "Prof. Ёлкин Сергей"]
    assert _names(office.get("/manage/speakers?country=CN")) == ["Academician Jinsong Leng", "Dr. Wang Lei"]
    assert _names(office.get(f"/manage/speakers?institution={hit_id}")) == ["Academician Jinsong Leng"]
    assert _names(office.get("/manage/speakers?honour=IEEE+Fellow")) == [
        "Prof. Anna Visser", "Academician Jinsong Leng"
    ]
    assert _names(office.get("/manage/speakers?expertise=orbital+debris")) == [
        "Prof. Anna Visser", "Dr. Wang Lei"
    ]
    assert _names(office.get("/manage/speakers?partners=y")) == [
        "Academician Jinsong Leng", "Prof. Ёлкин Сергей"
    ]
    assert _names(office.get("/manage/speakers?partners=y&honour=IEEE+Fellow&q=jin")) == [
        "Academician Jinsong Leng"
    ]


def test_the_filters_offer_only_values_in_use_and_refuse_others(app, office):
    _cast()
    page = office.get("/manage/speakers")
    assert '<option value="NL">Netherlands</option>' in page.text
    assert '<option value="DE">' not in page.text
    assert '<option value="Member of the Russian Academy of Sciences">' in page.text
    refused = office.get("/manage/speakers?country=XX")
    assert refused.status_code == 422 and "Not a valid choice" in refused.text


def test_each_row_shows_institution_country_honours_expertise_and_event_count(app, office):
    cast = _cast()
    for years_ago in (1, 2):
        event = make_event(starts_at=utcnow() - timedelta(days=365 * years_ago))
        db.session.add(Engagement(speaker_id=cast["leng"].id, event_id=event.id, role=SpeakerRole.keynote))
    db.session.commit()
    page = office.get("/manage/speakers?q=leng")
    row = page.text.split('id="speakers"', 1)[1]
    for shown in ("Harbin Institute of Technology", "China", '<span class="tag">IEEE Fellow</span>',
                  "shape-memory polymers", "<td>2</td>", "leng@hit.example.edu"):
        assert shown in row


def test_fifty_speakers_a_page_sorted_by_name(app, office):
    for number in range(55):
        db.session.add(Speaker(name=f"Speaker {number:02d}", country="CN"))
    db.session.commit()
    first = office.get("/manage/speakers")
    assert len(_names(first)) == 50 and _names(first)[0] == "Speaker 00"
    assert "55 speakers, page 1 of 2" in first.text
    second = office.get("/manage/speakers?page=2")
    assert _names(second) == [f"Speaker {n}" for n in range(50, 55)]
    assert _names(office.get("/manage/speakers?page=abc"))[0] == "Speaker 00"


def _crowd(count: int, start: int = 0) -> None:
    """count speakers, each with an institution, two honours, two fields and an event."""
    event = make_event()
    for number in range(start, start + count):
        institution = _institution(f"University {number}", "DE", partner=number % 2 == 0)
        speaker = _speaker(f"Crowd {number:03d}", "DE", institution, f"crowd{number}@example.org",
                           ("IEEE Fellow", f"Honour {number}"), ("optics", f"field {number}"))
        db.session.add(Engagement(speaker_id=speaker.id, event_id=event.id, role=SpeakerRole.panel))
    db.session.commit()


def _statements_for(client, path: str) -> int:
    db.session.expire_all()  # start cold, as a real request does: nothing already loaded
    with counting_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@both_databases
def test_the_directory_costs_the_same_queries_for_three_or_forty_speakers(app, office):
    _crowd(3)
    few = _statements_for(office, "/manage/speakers")
    few_filtered = _statements_for(office, "/manage/speakers?q=crowd&partners=y&honour=IEEE+Fellow")
    _crowd(37, start=3)
    assert len(_names(office.get("/manage/speakers"))) == 40
    assert _statements_for(office, "/manage/speakers") == few
    assert _statements_for(office, "/manage/speakers?q=crowd&partners=y&honour=IEEE+Fellow") == few_filtered


def test_the_institution_list_counts_speakers_and_filters(app, office):
    cast = _cast()
    _speaker("Li Wei", "CN", cast["leng"].institution)
    page = office.get("/manage/institutions")
    assert page.status_code == 200
    hit_row = page.text.split("Harbin Institute of Technology", 1)[1].split("</tr>", 1)[0]
    assert ">2</a>" in hit_row and "partner since 2019-05-01" in hit_row
    partners = office.get("/manage/institutions?partners=y").text
    assert "Bauman Moscow" in partners and "Delft" not in partners
    dutch = office.get("/manage/institutions?country=NL").text
    assert "Delft" in dutch and "Harbin" not in dutch


def test_institutions_cost_the_same_queries_however_many(app, office):
    _crowd(2)
    db.session.expire_all()
    with counting_statements() as few:
        office.get("/manage/institutions")
    _crowd(20, start=2)
    db.session.expire_all()
    with counting_statements() as many:
        office.get("/manage/institutions")
    assert len(few) == len(many)


def test_the_service_counts_events_not_engagements(app):
    cast = _cast()
    event = make_event()
    item_event = make_event()
    db.session.add_all([
        Engagement(speaker_id=cast["visser"].id, event_id=event.id, role=SpeakerRole.keynote),
        Engagement(speaker_id=cast["visser"].id, event_id=item_event.id, role=SpeakerRole.panel),
    ])
    db.session.commit()
    found = directory.search_speakers(directory.SpeakerFilters(text="visser"))
    assert found.total == 1 and found.event_counts[cast["visser"].id] == 2
