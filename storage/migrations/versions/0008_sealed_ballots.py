"""sealed ballots: choices are written only encrypted (drafts and the box), counted at the close

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 14:00:00

Drafts holding choices in the clear are dropped (the person ticks them again). A vote open
across the upgrade keeps the counts it had in vote_count; the close adds the sealed ballots
cast after it to them.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sealed_ballot',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('vote_id', sa.Integer(), nullable=False),
        sa.Column('sealed', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['vote_id'], ['vote.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('sealed_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_ballot_vote_id'), ['vote_id'], unique=False)
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unopened', sa.Integer(), nullable=False, server_default='0'))
    op.execute("DELETE FROM ballot_draft")
    with op.batch_alter_table('ballot_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_column('choices')


def downgrade() -> None:
    op.execute("DELETE FROM ballot_draft")
    with op.batch_alter_table('ballot_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choices', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.drop_column('sealed')
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('unopened')
    with op.batch_alter_table('sealed_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_ballot_vote_id'))
    op.drop_table('sealed_ballot')
