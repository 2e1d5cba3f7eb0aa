"""invitations to register with held seats

Revision ID: d0f05db7325c
Revises: 5b7e2c9d4f13
Create Date: 2026-11-30 09:00:00.000000

Organisers invite people to register, in batches that may set a seat aside for each
invitee until they answer or the invitation runs out. The seats held are counted on
the event (held_count), and held and confirmed seats together never pass capacity.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd0f05db7325c'
down_revision = '5b7e2c9d4f13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitation_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('holds_seats', sa.Boolean(), nullable=False),
    sa.Column('skips_approval', sa.Boolean(), nullable=False),
    sa.Column('skips_verification', sa.Boolean(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_invitation_batch_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_invitation_batch_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_batch'))
    )
    with op.batch_alter_table('invitation_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_batch_event_id'), ['event_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=64), nullable=False),
    sa.Column('affiliation', sa.String(length=300), nullable=False),
    sa.Column('category', sa.Enum('student', 'faculty', 'industry', 'other', name='attendeecategory', native_enum=False, length=32), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('pending', 'registered', 'declined', 'expired', 'revoked', name='invitationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('holds_seat', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['invitation_batch.id'], name=op.f('fk_invitation_batch_id_invitation_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_invitation_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_invitation_registration_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_invitation_event_id_id', ['event_id', 'id'], unique=False)
        batch_op.create_index('ix_invitation_status_expires_at', ['status', 'expires_at'], unique=False)
        batch_op.create_index('uq_invitation_event_id_email_key_standing', ['event_id', 'email_key'], unique=True, postgresql_where=sa.text("status IN ('pending', 'registered')"), sqlite_where=sa.text("status IN ('pending', 'registered')"))

    # The check needs a rebuild of the event table on SQLite (env.py turns foreign keys off around it).
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            'not_overcommitted', 'capacity IS NULL OR confirmed_count + held_count <= capacity')



def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('not_overcommitted', type_='check')
        batch_op.drop_column('held_count')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index('uq_invitation_event_id_email_key_standing', postgresql_where=sa.text("status IN ('pending', 'registered')"), sqlite_where=sa.text("status IN ('pending', 'registered')"))
        batch_op.drop_index('ix_invitation_status_expires_at')
        batch_op.drop_index('ix_invitation_event_id_id')
        batch_op.drop_index(batch_op.f('ix_invitation_batch_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('invitation_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_batch_event_id'))

    op.drop_table('invitation_batch')
