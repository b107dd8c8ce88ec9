"""the review meeting's attendance and chair, recorded by the secretary

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:40:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('chair', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('chair')
        batch_op.drop_column('attended')
