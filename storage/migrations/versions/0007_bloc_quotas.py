"""the bloc's quotas for its year, one fact set by a secretary from January

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:45:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Next year's leaders are lines of the ballot, not titles with a quota.
_LEADERS = ("LEAD", "DEPUTY")


def upgrade() -> None:
    bloc_quota = op.create_table('bloc_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bloc_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.BigInteger(), nullable=False),
    sa.Column('set_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bloc_id'], ['bloc.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bloc_id', 'year', 'code')
    )
    # Quotas were kept on the ballot of each vote: they become the bloc's quotas for that
    # year, so the status, the ballot and the documents keep saying the same numbers.
    vote = sa.table('vote', sa.column('bloc_id', sa.Integer()), sa.column('year', sa.Integer()),
                    sa.column('ballot', sa.JSON()), sa.column('created_by', sa.BigInteger()),
                    sa.column('created_at', storage.types.UTCDateTime(timezone=True)))
    connection = op.get_bind()
    rows = []
    for bloc_id, year, ballot, by, at in connection.execute(
            sa.select(vote.c.bloc_id, vote.c.year, vote.c.ballot, vote.c.created_by, vote.c.created_at)):
        for entry in ballot or []:
            if entry.get("code") not in _LEADERS and isinstance(entry.get("quota"), int):
                rows.append(dict(bloc_id=bloc_id, year=year, code=entry["code"], quota=entry["quota"],
                                 set_by=by, set_at=at))
    if rows:
        op.bulk_insert(bloc_quota, rows)


def downgrade() -> None:
    op.drop_table('bloc_quota')
