"""The migrations: one head, and they build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from eventsys.database import db, include_in_comparison
from tests.conftest import both_databases


def test_the_migration_history_has_a_single_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@both_databases
def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_comparison}
        )
        assert compare_metadata(context, db.metadata) == []


def test_every_migration_keeps_every_row_on_sqlite_where_changing_a_table_means_copying_it(tmp_path):
    """SQLite rebuilds a table to change it; with foreign keys on, dropping the old copy would cascade."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from eventsys import create_app
    from eventsys.database import utcnow

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="3e8a1f0c7b25")  # the last revision before one that rebuilds `event`
        now = utcnow()
        with db.engine.begin() as connection:
            tables = sa.MetaData()
            tables.reflect(connection, only=["event", "registration"])
            connection.execute(tables.tables["event"].insert().values(
                id=1, slug="old", kind="lecture", mode="in_person", title="Old", summary="", description="",
                starts_at=now, ends_at=now, timezone="UTC", venue="Hall", status="published",
                confirmed_count=1, waitlisted_count=0, waitlist_seq=0, language="en", requires_approval=False,
                created_at=now, updated_at=now, calendar_sequence=0))
            connection.execute(tables.tables["registration"].insert().values(
                id=1, event_id=1, name="P", email="p@example.org", email_key="k", affiliation="",
                country="RU",
                category="student", answers={}, status="confirmed", token="t1", checkin_code="ABCDEFGH",
                locale="en", created_at=now, consented_at=now))
        upgrade()
        kept = db.session.execute(sa.text("SELECT count(*) FROM registration")).scalar()
        db.engine.dispose()
    assert kept == 1
