"""badges and certificates of attendance

Revision ID: 5b2d7e4c9a13
Revises: 161f3edc862e
Create Date: 2026-11-30 13:00:00.000000

A registration may give its name in Latin letters (badges and certificates print it
beneath a name in another script): a new column, empty for every existing row. And
the certificates of attendance (eventsys/certificates/): one row per registration,
with the reference the verification page looks up.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2d7e4c9a13'
down_revision = '161f3edc862e'
branch_labels = None
depends_on = None


def upgrade():
    # Adding a column with a default is one ALTER on both databases: no table copy on SQLite.
    op.add_column('registration', sa.Column('name_latin', sa.String(length=200), server_default='',
                                            nullable=False))

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('holder_name_latin', sa.String(length=200), nullable=False),
    sa.Column('holder_masked', sa.String(length=200), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_certificate_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_certificate_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('reference', name=op.f('uq_certificate_reference')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_certificate_registration_id'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_event_id'))
    op.drop_table('certificate')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('name_latin')
