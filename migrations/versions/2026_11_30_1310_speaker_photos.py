"""speaker photos

Revision ID: 5b7e2c9d41a3
Revises: 5b2d7e4c9a13
Create Date: 2026-11-30 13:10:00.000000

A speaker's portrait for their public page (eventsys/speakers/photos.py): one new
table, keyed by the speaker; nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c9d41a3'
down_revision = '5b2d7e4c9a13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('speaker_photo',
    sa.Column('speaker_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['speaker_id'], ['speaker.id'], name=op.f('fk_speaker_photo_speaker_id_speaker'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('speaker_id', name=op.f('pk_speaker_photo'))
    )


def downgrade():
    op.drop_table('speaker_photo')
