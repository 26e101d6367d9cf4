"""audit chain: every audit event carries the hash of the previous one (per dossier, and one
chain for administration); existing events are chained in id order

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09 08:00:00
"""
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy of models/audit_chain.py as it was when this revision was written: a later change of
# the app's hashing must not change what this migration wrote.
GENESIS = '0' * 64
DOSSIER_FIELDS = ('dossier_id', 'at', 'actor', 'actor_role', 'action', 'from_status',
                  'to_status', 'details')
ADMIN_FIELDS = ('at', 'actor', 'actor_role', 'entity', 'entity_key', 'action', 'before',
                'after')
BATCH = 2000


def _instant(at: datetime | str) -> str:
    if isinstance(at, str):  # SQLite without a type to parse it
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec='microseconds')


def _hash(event: dict[str, Any], fields: tuple[str, ...], prev_hash: str) -> str:
    content = {name: _instant(event[name]) if name == 'at' else event[name] for name in fields}
    content['prev_hash'] = prev_hash
    text = json.dumps(content, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def _columns(*names: str) -> list[sa.ColumnClause[Any]]:
    json_columns = {'details', 'before', 'after'}
    return [
        sa.column(name, sa.JSON()) if name in json_columns
        else sa.column(name, sa.DateTime(timezone=True)) if name == 'at'
        else sa.column(name)
        for name in names
    ]


def _chain(table_name: str, fields: tuple[str, ...], per_dossier: bool) -> None:
    """Give every row its prev_hash and hash, in id order (per dossier for dossier events)."""
    conn = op.get_bind()
    table = sa.table(table_name, *_columns('id', *fields, 'prev_hash', 'hash'))
    order = [table.c.dossier_id, table.c.id] if per_dossier else [table.c.id]
    setter = (
        sa.update(table)
        .where(table.c.id == sa.bindparam('row_id'))
        .values(prev_hash=sa.bindparam('new_prev'), hash=sa.bindparam('new_hash'))
    )
    last_dossier: str | None = None
    last_id = 0
    prev = GENESIS
    while True:
        query = sa.select(table.c.id, *(table.c[name] for name in fields)).order_by(*order)
        if per_dossier and last_dossier is not None:
            query = query.where(sa.or_(
                table.c.dossier_id > last_dossier,
                sa.and_(table.c.dossier_id == last_dossier, table.c.id > last_id),
            ))
        elif not per_dossier:
            query = query.where(table.c.id > last_id)
        rows = conn.execute(query.limit(BATCH)).mappings().all()
        if not rows:
            return
        updates = []
        for row in rows:
            if per_dossier and row['dossier_id'] != last_dossier:
                prev = GENESIS
            new_hash = _hash(dict(row), fields, prev)
            updates.append({'row_id': row['id'], 'new_prev': prev, 'new_hash': new_hash})
            prev = new_hash
            last_dossier = row['dossier_id'] if per_dossier else None
            last_id = row['id']
        conn.execute(setter, updates)


def upgrade() -> None:
    for table_name in ('auditevent', 'adminevent'):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column(
                'prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
            batch_op.add_column(sa.Column(
                'hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    _chain('auditevent', DOSSIER_FIELDS, per_dossier=True)
    _chain('adminevent', ADMIN_FIELDS, per_dossier=False)
    for table_name in ('auditevent', 'adminevent'):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column('prev_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(
                length=64), nullable=False)
            batch_op.alter_column('hash', existing_type=sqlmodel.sql.sqltypes.AutoString(
                length=64), nullable=False)
    op.create_index('ux_auditevent_chain', 'auditevent', ['dossier_id', 'prev_hash'],
                    unique=True)
    op.create_index('ux_adminevent_chain', 'adminevent', ['prev_hash'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_adminevent_chain', table_name='adminevent')
    op.drop_index('ux_auditevent_chain', table_name='auditevent')
    for table_name in ('auditevent', 'adminevent'):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column('hash')
            batch_op.drop_column('prev_hash')
