"""users, token owners and expiry, administration audit

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:00:00
"""
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _username(name: str, taken: set[str]) -> str:
    """An ASCII sign-in name made from a token's name, unique among those already taken."""
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", ".", text).strip(".") or "user"
    candidate, n = base[:70], 1
    while candidate in taken:
        n += 1
        candidate = f"{base[:70]}.{n}"
    taken.add(candidate)
    return candidate


def upgrade() -> None:
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', models.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('created_at', models.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_code'], ['agency.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_display_name'), ['display_name'], unique=False)

    op.create_table('adminevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('entity_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('adminevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adminevent_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_adminevent_entity'), ['entity'], unique=False)

    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expires_at', models.types.UtcDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('last_used_at', models.types.UtcDateTime(timezone=True),
                                      nullable=True))

    # Every existing token becomes the credential of a user with its name, role and agency.
    conn = op.get_bind()
    tokens = conn.execute(sa.text(
        "SELECT id, name, role, agency_code, email, created_at FROM apitoken ORDER BY id")).all()
    users: dict[tuple[str, str, str | None], int] = {}
    taken: set[str] = set()
    user_table = sa.table('user', sa.column('id', sa.Integer), sa.column('username'),
                          sa.column('display_name'), sa.column('role'),
                          sa.column('agency_code'), sa.column('email'), sa.column('language'),
                          sa.column('active', sa.Boolean), sa.column('password_hash'),
                          sa.column('failed_logins', sa.Integer),
                          sa.column('session_epoch', sa.Integer), sa.column('created_at'))
    for token_id, name, role, agency, email, created_at in tokens:
        key = (name, role, agency)
        if key not in users:
            conn.execute(user_table.insert().values(
                username=_username(name, taken), display_name=name, role=role,
                agency_code=agency, email=email or "", language="vi", active=True,
                password_hash="", failed_logins=0, session_epoch=0, created_at=created_at))
            users[key] = conn.execute(sa.text(
                'SELECT max(id) FROM "user"')).scalar_one()
        conn.execute(sa.text("UPDATE apitoken SET user_id = :u WHERE id = :t"),
                     {"u": users[key], "t": token_id})

    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_apitoken_name'))
        batch_op.create_index(batch_op.f('ix_apitoken_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key('fk_apitoken_user_id_user', 'user', ['user_id'], ['id'])
        batch_op.drop_column('role')
        batch_op.drop_column('agency_code')
        batch_op.drop_column('email')


def downgrade() -> None:
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(
            length=40), nullable=True))
        batch_op.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=False, server_default='handler'))
    op.execute('UPDATE apitoken SET role = (SELECT role FROM "user" WHERE "user".id = '
               'apitoken.user_id), agency_code = (SELECT agency_code FROM "user" WHERE '
               '"user".id = apitoken.user_id), email = (SELECT email FROM "user" WHERE '
               '"user".id = apitoken.user_id), name = (SELECT display_name FROM "user" '
               'WHERE "user".id = apitoken.user_id)')
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_constraint('fk_apitoken_user_id_user', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_apitoken_user_id'))
        batch_op.create_index(batch_op.f('ix_apitoken_name'), ['name'], unique=False)
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('user_id')
    op.drop_table('adminevent')
    op.drop_table('user')
