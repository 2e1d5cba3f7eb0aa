"""verify registrants' email addresses

Revision ID: 7c2d9e4b1a60
Revises: 3e8a1f0c7b25
Create Date: 2026-11-30 00:20:00.000000

An event may ask public registrants to click a link emailed to them before any
seat is decided (eventsys/registration/verification.py). Until then the attempt
waits in registration_attempt and holds nothing. Existing events keep taking
registrations at once: the organisers chose their settings before this existed.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c2d9e4b1a60'
down_revision = '3e8a1f0c7b25'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verify_emails', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'registration_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('email_key', sa.String(length=64), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_attempt_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                                name=op.f('fk_registration_attempt_registration_id_registration'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_attempt')),
    )
    with op.batch_alter_table('registration_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_registration_attempt_email_key_created_at', ['email_key', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_registration_attempt_expires_at', ['expires_at'], unique=False)


def downgrade():
    op.drop_table('registration_attempt')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('verify_emails')
