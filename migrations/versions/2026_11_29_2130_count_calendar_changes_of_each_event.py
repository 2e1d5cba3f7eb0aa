"""count calendar changes of each event

Revision ID: 7c1e2a9d4b50
Revises: 320c5d0c54fb
Create Date: 2026-11-29 21:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e2a9d4b50'
down_revision = '320c5d0c54fb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
