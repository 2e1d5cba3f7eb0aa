"""The migration that repairs stored text: rows written before textrules open and export again."""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from eventsys.database import db
from eventsys.events.models import Event
from eventsys.registration import services
from eventsys.registration.models import QuestionKind, Registration
from tests.conftest import both_databases
from tests.factories import add_question, applicant, make_event

VERSIONS = Path(__file__).parent.parent / "migrations" / "versions"
MIGRATION = next(VERSIONS.glob("*_repair_stored_text_that_breaks_pages.py"))


def _run_repair() -> None:
    spec = importlib.util.spec_from_file_location("repair_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            module.upgrade()
    db.session.expire_all()


def _store(registration_id: int, **values) -> None:
    db.session.execute(sa.update(Registration).where(Registration.id == registration_id).values(**values))
    db.session.commit()


@both_databases
def test_control_characters_go_from_text_and_json_on_both_databases(app):
    event = make_event(title="Smart\x07 Materials")
    remark = add_question(event, QuestionKind.text, "Remark")
    person = services.register(event, applicant(1))
    _store(person.id, name="Anna\x1b Petrova", affiliation="MSU\x85",
           answers={str(remark.id): "nul\x00 bell\x07\nsecond line", "\x00key": ["x\x01"]})
    _run_repair()
    repaired = db.session.get(Registration, person.id)
    assert (repaired.name, repaired.affiliation) == ("Anna Petrova", "MSU")
    assert repaired.answers == {str(remark.id): "nul bell\nsecond line", "key": ["x"]}
    assert db.session.get(Event, event.id).title == "Smart Materials"


def test_lone_surrogates_and_bytes_that_are_not_utf8_become_replacement_characters_on_sqlite(app):
    event = make_event()
    remark = add_question(event, QuestionKind.text, "Remark")
    person = services.register(event, applicant(1))
    _store(person.id, answers={str(remark.id): "caf\ud800e", "n": float("nan")})
    # Another client wrote bytes that are not UTF-8; Python's driver cannot even read them back.
    db.session.execute(sa.text("UPDATE registration SET affiliation = CAST(X'4D5355FF' AS TEXT) "
                               "WHERE id = :id"), {"id": person.id})
    db.session.commit()
    _run_repair()
    repaired = db.session.get(Registration, person.id)
    assert repaired.answers == {str(remark.id): "caf\ufffde", "n": None}
    assert repaired.affiliation == "MSU\ufffd"


def test_clean_rows_are_not_rewritten(app):
    event = make_event(title="Симпозиум «Умные материалы» 智能材料")
    person = services.register(event, applicant(1, name="李娜"))
    _store(person.id, name="李娜\tTab", answers={"1": "line\r\nline"})
    _run_repair()
    person = db.session.get(Registration, person.id)
    assert (person.name, person.answers) == ("李娜\tTab", {"1": "line\r\nline"})
    assert db.session.get(Event, event.id).title == "Симпозиум «Умные материалы» 智能材料"
