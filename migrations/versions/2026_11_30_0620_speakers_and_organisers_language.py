"""speakers' and organisers' language

Revision ID: 9d3e6a1c5b28
Revises: 4f1b8c3e2a77
Create Date: 2026-11-30 06:20:00.000000

Every email to a speaker (an invitation, a mailing) and to an organiser (a speaker's
answer) is written in the language stored with them. Existing records read English,
as their emails did until now.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9d3e6a1c5b28'
down_revision = '4f1b8c3e2a77'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN with a server default on both databases: no batch rebuild on SQLite.
    op.add_column('speaker', sa.Column('locale', sa.String(length=16), server_default='en', nullable=False))
    # None until the organiser chooses: their pages follow their browser meanwhile.
    op.add_column('user', sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('speaker', schema=None) as batch_op:
        batch_op.drop_column('locale')
