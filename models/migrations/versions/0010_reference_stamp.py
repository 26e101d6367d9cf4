"""reference stamp: one row raised by triggers on agency, user, calendaroverride and
procedureversion, so processes can cache reference data and know when it changed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10 08:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a cache holds: a change to any of these columns must raise the stamp. The user's
# sign-in counters and password are left out: they change often and no cache reads them.
WATCHED = {
    'agency': None,
    'calendaroverride': None,
    'procedureversion': None,
    'user': ('display_name', 'role', 'email', 'language', 'active', 'agency_code'),
}
BUMP = 'UPDATE referencestamp SET n = n + 1 WHERE id = 1'


def _sqlite_triggers() -> None:
    for table, columns in WATCHED.items():
        for verb in ('INSERT', 'UPDATE', 'DELETE'):
            on = f'UPDATE OF {", ".join(columns)}' if verb == 'UPDATE' and columns else verb
            op.execute(
                f'CREATE TRIGGER refstamp_{table}_{verb.lower()} AFTER {on} ON "{table}" '
                f'BEGIN {BUMP}; END'
            )


def _postgres_triggers() -> None:
    op.execute(
        'CREATE FUNCTION ngo_review_bump_reference_stamp() RETURNS trigger LANGUAGE plpgsql '
        f'AS $$ BEGIN {BUMP}; RETURN NULL; END $$'
    )
    for table, columns in WATCHED.items():
        update = f'UPDATE OF {", ".join(columns)}' if columns else 'UPDATE'
        op.execute(
            f'CREATE TRIGGER refstamp_{table} AFTER INSERT OR DELETE OR {update} ON "{table}" '
            'FOR EACH STATEMENT EXECUTE FUNCTION ngo_review_bump_reference_stamp()'
        )
        op.execute(
            f'CREATE TRIGGER refstamp_{table}_truncate AFTER TRUNCATE ON "{table}" '
            'FOR EACH STATEMENT EXECUTE FUNCTION ngo_review_bump_reference_stamp()'
        )


def upgrade() -> None:
    op.create_table(
        'referencestamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('epoch', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    postgres = op.get_bind().dialect.name == 'postgresql'
    epoch = "md5(random()::text || clock_timestamp()::text)" if postgres else (
        "lower(hex(randomblob(16)))")
    op.execute(f'INSERT INTO referencestamp (id, epoch, n) VALUES (1, {epoch}, 0)')
    if postgres:
        _postgres_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in WATCHED:
            op.execute(f'DROP TRIGGER IF EXISTS refstamp_{table} ON "{table}"')
            op.execute(f'DROP TRIGGER IF EXISTS refstamp_{table}_truncate ON "{table}"')
        op.execute('DROP FUNCTION IF EXISTS ngo_review_bump_reference_stamp()')
    else:
        for table in WATCHED:
            for verb in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS refstamp_{table}_{verb}')
    op.drop_table('referencestamp')
