"""the province's level: officers added by officers, the province's group and board, the blocs' dossiers

Revision ID: 0011
Revises: 0009 (0010 is another branch's; the chain is fixed at merge)
Create Date: 2026-12-05 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('province_officer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('added_by', sa.BigInteger(), nullable=False),
    sa.Column('added_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_province_officer_code_user', 'province_officer', ['province', 'user_id'], unique=False)
    op.create_table('province_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('board_message_id', sa.Integer(), nullable=True),
    sa.Column('set_by', sa.BigInteger(), nullable=False),
    sa.Column('set_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('province'),
    sa.UniqueConstraint('chat_id')
    )
    op.create_table('dossier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sent_by', sa.BigInteger(), nullable=False),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_dossier_bloc_year', 'dossier', ['bloc_id', 'year'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dossier_bloc_year', table_name='dossier')
    op.drop_table('dossier')
    op.drop_table('province_group')
    op.drop_index('ix_province_officer_code_user', table_name='province_officer')
    op.drop_table('province_officer')
