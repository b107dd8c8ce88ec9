"""registrations, drafts, covenants, milestones, reopenings, status board

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:04:54.817138
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_bloc_year_kind', ['bloc_id', 'year', 'kind'], unique=False)

    op.create_table('status_board',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('pin_refusal_told', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bloc_id', 'year')
    )
    op.create_table('covenant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('confirmed_by', sa.BigInteger(), nullable=False),
    sa.Column('confirmed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'year')
    )
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('collective', sa.JSON(), nullable=False),
    sa.Column('individuals', sa.JSON(), nullable=False),
    sa.Column('targets', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('confirmed_by', sa.BigInteger(), nullable=False),
    sa.Column('confirmed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_bloc_year_current', ['bloc_id', 'year', 'current'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_unit_id'), ['unit_id'], unique=False)

    op.create_table('registration_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('started_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('touched_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    op.create_table('reopening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('until', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reopening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reopening_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reopening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reopening_unit_id'))

    op.drop_table('reopening')
    op.drop_table('registration_draft')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_unit_id'))
        batch_op.drop_index('ix_registration_bloc_year_current')

    op.drop_table('registration')
    op.drop_table('covenant')
    op.drop_table('status_board')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_bloc_year_kind')

    op.drop_table('milestone')
