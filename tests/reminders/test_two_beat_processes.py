"""Two schedulers running at once, as real processes: every registrant is reminded exactly once."""

import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import db, utcnow
from eventsys.registration.models import Registration
from eventsys.reminders.models import ReminderRun
from tests import servers
from tests.conftest import both_databases
from tests.factories import make_event

pytestmark = pytest.mark.slow


@both_databases
def test_two_tick_processes_at_once_send_each_reminder_once(app, smtp_sink):
    event = make_event(starts_at=utcnow() + timedelta(hours=23), capacity=None)
    long_ago = utcnow() - timedelta(days=3)
    db.session.execute(
        sa.insert(Registration),
        [
            {
                "event_id": event.id,
                "name": f"Attendee {n}",
                "email": f"attendee{n}@example.org",
                "country": "UA",
                "category": "student",
                "answers": {},
                "status": "confirmed",
                "token": f"token-{n}",
                "locale": "en",
                "created_at": long_ago,
                "consented_at": long_ago,
            }
            for n in range(300)
        ],
    )
    db.session.commit()
    env = servers.app_environment(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_sink.port),
        BASE_URL="http://events.test",
    )
    command = [str(servers.VENV_BIN / "flask"), "--app", "eventsys", "tick"]
    ticks = [
        subprocess.Popen(
            command, cwd=servers.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [tick.communicate(timeout=120)[0] for tick in ticks]
    assert [tick.returncode for tick in ticks] == [0, 0], outputs
    reminders = [m for m in smtp_sink.messages if m["Subject"].startswith("Reminder")]
    recipients = [m["To"] for m in reminders]
    assert len(recipients) == 300 and len(set(recipients)) == 300, outputs
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(ReminderRun)) == 2
    )  # 1 day sent, 7 days skipped
