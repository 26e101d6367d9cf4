"""step deadlines: the earliest due date of a dossier's open steps

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No dossier had an open step before this revision: the column starts empty.
    op.add_column('dossier', sa.Column('step_due_date', sa.Date(), nullable=True))
    op.create_index('ix_dossier_step_due_date', 'dossier', ['step_due_date'], unique=False)


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+, as 0005): rebuilding dossier would break the foreign
    # keys of the tables that reference it.
    op.drop_index('ix_dossier_step_due_date', table_name='dossier')
    op.execute('ALTER TABLE dossier DROP COLUMN step_due_date')
