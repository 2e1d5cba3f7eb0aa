"""speakers' own time zone

Revision ID: 5b7e2c9d4f13
Revises: e2ec126efcc1
Create Date: 2026-11-30 06:50:00.000000

Where a speaker lives, so their invitation shows each time on their clock beside the
event's. Existing speakers have none, and their emails keep the event's time only.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b7e2c9d4f13'
down_revision = 'e2ec126efcc1'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: no batch rebuild of the speaker table on SQLite.
    op.add_column('speaker', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('speaker', schema=None) as batch_op:
        batch_op.drop_column('timezone')
