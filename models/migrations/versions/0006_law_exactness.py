"""law exactness: engine progress, agency routing, calendar sources, written opinions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, no batch: a batch rebuild of dossier, agency or consultation on SQLite
    # would break the foreign keys of the tables that reference them.
    op.add_column('dossier', sa.Column('progress', sa.JSON(), nullable=False,
                                       server_default=sa.text("'{}'")))
    op.add_column('agency', sa.Column('provinces', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    op.add_column('agency', sa.Column('activity_fields', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    op.add_column('calendaroverride', sa.Column('source',
                                                sqlmodel.sql.sqltypes.AutoString(length=300),
                                                nullable=False, server_default=''))
    op.add_column('consultation', sa.Column('letter_number',
                                            sqlmodel.sql.sqltypes.AutoString(length=80),
                                            nullable=True))
    op.add_column('consultation', sa.Column('letter_date', sa.Date(), nullable=True))
    op.add_column('consultation', sa.Column('letter_document_id',
                                            sqlmodel.sql.sqltypes.AutoString(length=36),
                                            nullable=True))
    op.add_column('consultation', sa.Column('recorded_by',
                                            sqlmodel.sql.sqltypes.AutoString(length=120),
                                            nullable=True))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+, as 0005): rebuilding dossier, agency or consultation,
    # which other tables reference, would break their foreign keys.
    for table, column in (('consultation', 'recorded_by'), ('consultation', 'letter_document_id'),
                          ('consultation', 'letter_date'), ('consultation', 'letter_number'),
                          ('calendaroverride', 'source'), ('agency', 'activity_fields'),
                          ('agency', 'provinces'), ('dossier', 'progress')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
