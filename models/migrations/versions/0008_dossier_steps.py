"""dossier steps: the work each command leaves for after its commit, run as Prefect flow runs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from models.types import UtcDateTime

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Dossiers already running have no steps: their mail is still delivered by the periodic
    # delivery, and their next command writes the first step.
    op.create_table(
        'dossierstep',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('dossier_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('dossier_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('procedure', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('tasks', sa.JSON(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('claimed_until', UtcDateTime(timezone=True), nullable=True),
        sa.Column('done_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('flow_run_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_dossierstep_dossier_id', 'dossierstep', ['dossier_id'], unique=False)
    op.create_index('ix_dossierstep_due', 'dossierstep', ['status', 'next_attempt_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_dossierstep_due', table_name='dossierstep')
    op.drop_index('ix_dossierstep_dossier_id', table_name='dossierstep')
    op.drop_table('dossierstep')
