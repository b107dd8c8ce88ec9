"""unit name keys made again with today's fold (look-alike letters, full-width forms)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:20:00

fold() now also folds Cyrillic and Greek look-alike letters and applies NFKC (issue 14,
defect 14), so a name stored before could not be matched against one typed after. The keys
are made with fold() as it is at the time of the upgrade.
"""

from alembic import op
import sqlalchemy as sa

from domain.text import fold


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    units = sa.table('unit', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('name_key', sa.String))
    for unit_id, name, key in connection.execute(sa.select(units.c.id, units.c.name, units.c.name_key)).all():
        if fold(name) != key:
            connection.execute(units.update().where(units.c.id == unit_id).values(name_key=fold(name)))


def downgrade() -> None:
    pass  # the new keys match every name the old ones did
