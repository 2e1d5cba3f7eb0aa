"""index registrations by mailbox and time

Revision ID: 3e8a1f0c7b25
Revises: 60f44cf06da6
Create Date: 2026-11-30 00:00:00.000000

The per-mailbox limit on public registration (eventsys/registration/limits.py)
counts one mailbox's registrations of the last hour, across every event, on each
public registration; without this index that count reads the whole table.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3e8a1f0c7b25'
down_revision = '60f44cf06da6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_email_key_created_at', ['email_key', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_email_key_created_at')
