"""keep any subject and message id in the outbox

A subject is rendered around the event's title (up to 300 characters) and could
overflow String(300); recording the outcome of a sent email then failed, and the
sweep sent it again. Text holds whatever the templates produce.

Revision ID: 7c41d2e9a0b3
Revises: 7c1e2a9d4b50
Create Date: 2026-11-29 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c41d2e9a0b3'
down_revision = '7c1e2a9d4b50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbound_email', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=300), type_=sa.Text(),
                              existing_nullable=True)
        batch_op.alter_column('message_id', existing_type=sa.String(length=300), type_=sa.Text(),
                              existing_nullable=True)


def downgrade():
    # Longer values, if any, are cut to fit again.
    with op.batch_alter_table('outbound_email', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.Text(), type_=sa.String(length=300),
                              existing_nullable=True, postgresql_using='left(subject, 300)')
        batch_op.alter_column('message_id', existing_type=sa.Text(), type_=sa.String(length=300),
                              existing_nullable=True, postgresql_using='left(message_id, 300)')
