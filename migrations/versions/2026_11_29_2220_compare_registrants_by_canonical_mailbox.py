"""compare registrants by canonical mailbox

Revision ID: 9b3f6c2d8e14
Revises: 5d0e8f3a2c71
Create Date: 2026-11-29 22:40:00.000000

The one-registration-per-person rule compared lower-cased addresses, so
plus-addressing, fullwidth letters and Cyrillic look-alikes passed it. It now
compares registration.email_key, the digest of the canonical mailbox
(eventsys/registration/mailboxes.py). Existing rows get their key here; where two
active registrations of one event turn out to share a mailbox, both were accepted
under the old rule and both stay: the later ones get a key of their own.
"""
import sqlalchemy as sa
from alembic import op

from eventsys.registration.mailboxes import mailbox_key

# revision identifiers, used by Alembic.
revision = '9b3f6c2d8e14'
down_revision = '5d0e8f3a2c71'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status <> 'cancelled'")


def _fill_keys() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, event_id, email, status FROM registration ORDER BY id")).all()
    taken = set()
    updates = []
    for row in rows:
        key = mailbox_key(row.email)
        if row.status != 'cancelled':
            if (row.event_id, key) in taken:
                # Accepted under the old rule: kept, and kept apart.
                key = mailbox_key(f"{row.email}#{row.id}")
            taken.add((row.event_id, key))
        updates.append({"id": row.id, "key": key})
    if updates:
        bind.execute(sa.text("UPDATE registration SET email_key = :key WHERE id = :id"), updates)


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=64), nullable=True))
    _fill_keys()
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.alter_column('email_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_index('uq_registration_event_id_email_active', postgresql_where=ACTIVE, sqlite_where=ACTIVE)
        batch_op.create_index('uq_registration_event_id_email_key_active', ['event_id', 'email_key'],
                              unique=True, postgresql_where=ACTIVE, sqlite_where=ACTIVE)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_event_id_email_key_active', postgresql_where=ACTIVE,
                            sqlite_where=ACTIVE)
        batch_op.create_index('uq_registration_event_id_email_active', ['event_id', 'email'], unique=True,
                              postgresql_where=ACTIVE, sqlite_where=ACTIVE)
        batch_op.drop_column('email_key')
