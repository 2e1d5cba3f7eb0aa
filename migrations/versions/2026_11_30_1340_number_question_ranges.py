"""number question ranges

Revision ID: 8e2b4d6f1a93
Revises: 5b7e2c9d41a3
Create Date: 2026-11-30 13:40:00.000000

A number question may have a smallest and a largest answer and take whole numbers
only. Existing questions keep what they did: no bounds, decimals allowed.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e2b4d6f1a93'
down_revision = '5b7e2c9d41a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_min', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('number_max', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('whole_numbers', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('whole_numbers')
        batch_op.drop_column('number_max')
        batch_op.drop_column('number_min')
