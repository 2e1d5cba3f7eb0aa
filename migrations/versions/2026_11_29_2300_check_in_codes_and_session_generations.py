"""check-in codes apart from tokens, and session generations

Revision ID: 60f44cf06da6
Revises: 9b3f6c2d8e14
Create Date: 2026-11-30 00:10:00.000000

The QR code at the door carried the self-service token, so a photo of it could
cancel the registration. Each registration now has a check-in code of its own
(eventsys/registration/checkin_codes.py), unique within its event; existing rows
get one here. Accounts get a session generation: signing out or changing the
password counts it up and ends every earlier session (eventsys/accounts/services.py).
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '60f44cf06da6'
down_revision = '9b3f6c2d8e14'
branch_labels = None
depends_on = None

#: as in eventsys/registration/checkin_codes.py, copied so that later changes there do not change history
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8


def _fill_codes() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, event_id FROM registration ORDER BY id")).all()
    taken = set()
    updates = []
    for row in rows:
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
            if (row.event_id, code) not in taken:
                break
        taken.add((row.event_id, code))
        updates.append({"id": row.id, "code": code})
    if updates:
        bind.execute(sa.text("UPDATE registration SET checkin_code = :code WHERE id = :id"), updates)


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_code', sa.String(length=LENGTH), nullable=True))
    _fill_codes()
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('checkin_code', existing_type=sa.String(length=LENGTH), nullable=False)
        batch_op.create_index('uq_registration_checkin_code_event_id', ['checkin_code', 'event_id'],
                              unique=True)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_checkin_code_event_id')
        batch_op.drop_column('checkin_code')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
