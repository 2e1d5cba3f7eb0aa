"""anonymise registrations after the event

Revision ID: 9a3e5c71d204
Revises: 9d3e6a1c5b28
Create Date: 2026-11-30 06:30:00.000000

An event may say how many days after its end its registrations are anonymised
(retention/), and records when that was done so that it is done once. Existing
events get neither: their registrations are kept until an organiser decides.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9a3e5c71d204'
down_revision = '9d3e6a1c5b28'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs on both databases: no batch rebuild of the event table on SQLite.
    op.add_column('event', sa.Column('anonymise_after_days', sa.Integer(), nullable=True))
    op.add_column('event', sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('anonymise_after_days')
