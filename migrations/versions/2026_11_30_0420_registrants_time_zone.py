"""registrants' own time zone

Revision ID: 4f1b8c3e2a77
Revises: 7c2d9e4b1a60
Create Date: 2026-11-30 04:20:00.000000

A registrant may say where they are (an IANA zone, prefilled from their browser):
their emails then show each time in the event's zone and in their own. Existing
registrations have none, and their emails keep showing the event's time only.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4f1b8c3e2a77'
down_revision = '7c2d9e4b1a60'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: no batch rebuild of the registration table on SQLite.
    op.add_column('registration', sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('timezone')
