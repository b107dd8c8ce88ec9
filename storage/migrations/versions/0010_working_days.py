"""working days: a bloc's choice of weekends as days off, and where a reminder moved from

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: a batch recreation of ``bloc`` would, on SQLite with
    # foreign keys enforced, drop the table and cascade through every bloc's rows.
    op.add_column('bloc', sa.Column('weekends_off', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('reminder', sa.Column('moved_from', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('reminder', 'moved_from')
    op.drop_column('bloc', 'weekends_off')
