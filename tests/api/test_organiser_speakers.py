"""Scripts keep the office's speaker directory and institutions, with the directory's search and filters."""

from eventsys.database import db
from eventsys.speakers.models import Engagement, Institution, Speaker, SpeakerRole
from tests.api.organiser import call
from tests.conftest import both_databases
from tests.factories import make_event, make_organiser, make_token

SPEAKERS, INSTITUTIONS = "/api/v1/manage/speakers", "/api/v1/manage/institutions"


@both_databases
def test_every_organiser_keeps_the_shared_directory(app, client):
    token = make_token(make_organiser("li.wei@example.org"))
    colleague = make_token(make_organiser("ivanov@example.org"), "read")
    bauman = call(client, "POST", INSTITUTIONS, token, {"name": "Bauman Moscow State Technical University",
                                                         "country": "RU", "partner": True,
                                                         "partner_since": "2019-09-01"})
    assert bauman.status_code == 201, bauman.json
    created = call(client, "POST", SPEAKERS, token, {
        "name": "Ирина Волкова", "title": "Prof.", "country": "RU", "email": "Volkova@Example.org",
        "institution_id": bauman.json["id"], "honours": ["ieee fellow", "IEEE Fellow"],
        "expertise": ["shape-memory polymers"], "timezone": "Europe/Moscow"})
    assert created.status_code == 201, created.json
    speaker = created.json
    assert (speaker["email"], speaker["honours"]) == ("volkova@example.org", ["IEEE Fellow"])
    assert speaker["locale"] == "ru"  # the language of the country she works in
    assert speaker["institution"]["name"] == "Bauman Moscow State Technical University"
    call(client, "POST", SPEAKERS, token, {"name": "John Smith", "country": "GB"})

    def found(query: str) -> list[str]:
        answer = call(client, "GET", f"{SPEAKERS}?{query}", colleague)
        assert answer.status_code == 200, answer.json
        return [item["name"] for item in answer.json["items"]]

    assert found("q=ВОЛКОВА") == ["Ирина Волкова"]
    assert found("country=gb") == ["John Smith"]
    assert found("partners_only=true") == found(f"institution_id={bauman.json['id']}") == ["Ирина Волкова"]
    assert found("honour=IEEE Fellow&expertise=shape-memory polymers") == ["Ирина Волкова"]
    first = call(client, "GET", f"{SPEAKERS}?limit=1", colleague).json
    assert [s["name"] for s in first["items"]] == ["John Smith"]
    second = call(client, "GET", first["next"], colleague).json
    assert [s["name"] for s in second["items"]] == ["Ирина Волкова"]

    changed = call(client, "PATCH", f"{SPEAKERS}/{speaker['id']}", token, {"title": "Academician"})
    assert changed.status_code == 200
    assert (changed.json["title"], changed.json["email"]) == ("Academician", "volkova@example.org")
    listed = call(client, "GET", f"{INSTITUTIONS}?partners_only=true", colleague).json
    assert [(i["name"], i["speakers"]) for i in listed["items"]] == [
        ("Bauman Moscow State Technical University", 1)]


def test_the_records_rules_name_the_field(app, client):
    token = make_token(make_organiser("li.wei@example.org"))
    volkova = {"name": "Irina Volkova", "country": "RU", "email": "v@example.org"}
    call(client, "POST", SPEAKERS, token, volkova)
    taken = call(client, "POST", SPEAKERS, token, volkova | {"name": "Another", "email": "V@example.org"})
    assert taken.status_code == 422 and list(taken.json["errors"]) == ["email"]
    nowhere = call(client, "POST", SPEAKERS, token, {"name": "Nobody", "country": "XX"})
    assert nowhere.status_code == 422 and list(nowhere.json["errors"]) == ["country"]
    no_institution = call(client, "POST", SPEAKERS, token, {"name": "X", "country": "RU",
                                                            "institution_id": 999})
    assert list(no_institution.json["errors"]) == ["institution_id"]
    website = call(client, "POST", INSTITUTIONS, token, {"name": "MSU", "country": "RU", "website": "ftp://x"})
    assert website.status_code == 422 and list(website.json["errors"]) == ["website"]
    not_partner = call(client, "POST", INSTITUTIONS, token, {"name": "MSU", "country": "RU",
                                                               "partner_since": "2020-01-01"})
    assert list(not_partner.json["errors"]) == ["partner_since"]


@both_databases
def test_what_is_referred_to_is_not_deleted_and_the_answer_says_why(app, client):
    event = make_event()
    token = make_token(make_organiser("li.wei@example.org"))
    msu = Institution(name="Lomonosov Moscow State University", country="RU")
    volkova = Speaker(name="Irina Volkova", title="Prof.", country="RU", institution=msu)
    unused = Speaker(name="Never Invited", country="CN")
    db.session.add_all([msu, volkova, unused])
    db.session.flush()
    db.session.add(Engagement(speaker_id=volkova.id, event_id=event.id, role=SpeakerRole.keynote))
    db.session.commit()

    refused = call(client, "DELETE", f"{SPEAKERS}/{volkova.id}", token)
    assert refused.status_code == 409
    assert refused.json == {"errors": {"request": [
        "Prof. Irina Volkova takes part in 1 event: the record stays, for its programme and their history."]}}
    refused = call(client, "DELETE", f"{INSTITUTIONS}/{msu.id}", token)
    assert refused.status_code == 409 and "1 speaker works at" in refused.json["errors"]["request"][0]

    assert call(client, "DELETE", f"{SPEAKERS}/{unused.id}", token).status_code == 204
    assert call(client, "DELETE", f"{SPEAKERS}/{unused.id}", token).status_code == 404
    call(client, "PATCH", f"{SPEAKERS}/{volkova.id}", token, {"institution_id": None})
    assert call(client, "DELETE", f"{INSTITUTIONS}/{msu.id}", token).status_code == 204
    assert db.session.get(Speaker, volkova.id) is not None
    assert call(client, "GET", f"{INSTITUTIONS}/{msu.id}", token).status_code == 404
