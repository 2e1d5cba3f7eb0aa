"""visa invitation letters

Revision ID: e2ec126efcc1
Revises: 9a3e5c71d204
Create Date: 2026-11-30 06:40:00.000000

Letters requested by registrants and speakers from abroad, decided by organisers, and
verified by embassies by reference. Passport details and the issued PDF are stored
encrypted (eventsys/visas/passports.py) and erased after the event; the office's
letterhead and wording are one template row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2ec126efcc1'
down_revision = '9a3e5c71d204'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('letter_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_name', sa.String(length=300), nullable=False),
    sa.Column('school_name_zh', sa.String(length=300), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('address_zh', sa.Text(), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('signatory_title_zh', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('seal_image', sa.LargeBinary(), nullable=True),
    sa.Column('seal_mimetype', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_template'))
    )
    op.create_table('visa_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('requested', 'approved', 'rejected', 'revoked', name='letterstatus', native_enum=False, length=32), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('passport_data', sa.LargeBinary(), nullable=True),
    sa.Column('arrival_on', sa.Date(), nullable=False),
    sa.Column('departure_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('consulate', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('holder_masked', sa.String(length=200), server_default='', nullable=False),
    sa.Column('letter_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(registration_id IS NULL) <> (engagement_id IS NULL)', name=op.f('ck_visa_letter_one_requester')),
    sa.CheckConstraint('departure_on >= arrival_on', name=op.f('ck_visa_letter_departure_after_arrival')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_visa_letter_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_visa_letter_engagement_id_engagement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_visa_letter_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_visa_letter_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visa_letter')),
    sa.UniqueConstraint('reference', name=op.f('uq_visa_letter_reference'))
    )
    with op.batch_alter_table('visa_letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visa_letter_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visa_letter_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visa_letter_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visa_letter_status'), ['status'], unique=False)

    # A plain ADD COLUMN on both databases: no batch rebuild of the event table on SQLite.
    op.add_column('event', sa.Column('offers_visa_letters', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))



def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('offers_visa_letters')

    with op.batch_alter_table('visa_letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visa_letter_status'))
        batch_op.drop_index(batch_op.f('ix_visa_letter_registration_id'))
        batch_op.drop_index(batch_op.f('ix_visa_letter_event_id'))
        batch_op.drop_index(batch_op.f('ix_visa_letter_engagement_id'))

    op.drop_table('visa_letter')
    op.drop_table('letter_template')
