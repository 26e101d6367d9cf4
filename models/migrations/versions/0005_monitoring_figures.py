"""monitoring figures: dates and working days stored when they happen, step times, counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00
"""
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types
from flows.calendar import WorkingCalendar

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = re.compile(r"^(?P<agency>.+)-\d{8}-\d+$")
DECISIONS = ("approved", "refused", "forwarded")
FINAL = (*DECISIONS, "withdrawn", "rejected_at_intake")
ALL_TIME = date(1, 1, 1)


def upgrade() -> None:
    op.create_table('stagetime',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('agency_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('procedure', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('receiving_agency', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stagetime', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stagetime_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('metriccount',
    sa.Column('fact', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('grain', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('procedure', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('receiving_agency', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('agency', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('timeliness', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('fact', 'grain', 'day', 'procedure', 'receiving_agency', 'agency',
                            'category', 'timeliness', 'working_days'),
    sqlite_with_rowid=False,
    )

    # NOT NULL columns arrive with a placeholder default, given as a plain string so that
    # SQLite adds them in place (a rebuild of tables that others reference would break their
    # foreign keys); the backfill below sets the real values.
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=False,
                                      server_default='1970-01-01'))
        batch_op.add_column(sa.Column('receiving_agency', sqlmodel.sql.sqltypes.AutoString(
            length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('working_days_used', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('imported', sa.Boolean(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_on', sa.Date(), nullable=False,
                                      server_default='1970-01-01'))
        batch_op.add_column(sa.Column('answered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('response_working_days', sa.Integer(), nullable=True))

    _backfill(op.get_bind())

    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('dossier', 'received_on', server_default=None)
        op.alter_column('dossier', 'receiving_agency', server_default=None)
        op.alter_column('dossier', 'imported', server_default=None)
        op.alter_column('consultation', 'requested_on', server_default=None)

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_received_on'), ['received_on'],
                              unique=False)
        batch_op.create_index('ix_dossier_pending', ['completed_on', 'procedure',
                              'receiving_agency', 'legal_due_date', 'suspended', 'received_on'],
                              unique=False)
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.create_index('ix_consultation_status_due', ['status', 'due_date',
                              'agency_code', 'dossier_id'], unique=False)


def _local(instant: datetime | None) -> date | None:
    if instant is None:
        return None
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return aware.astimezone(VN).date()


def _backfill(conn: sa.Connection) -> None:
    """Fill the new columns, the step times and the counters from the rows already there."""
    overrides = conn.execute(sa.text("SELECT day, kind FROM calendaroverride")).all()
    days = [(d if isinstance(d, date) else date.fromisoformat(str(d)), k) for d, k in overrides]
    calendar = WorkingCalendar([d for d, k in days if k == 'holiday'],
                               [d for d, k in days if k == 'working_day'])
    when = models.types.UtcDateTime()
    dossier = sa.table('dossier', sa.column('id'), sa.column('code'), sa.column('procedure'),
                       sa.column('status'), sa.column('received_at', when),
                       sa.column('accepted_at', when), sa.column('completed_at', when),
                       sa.column('timeliness'), sa.column('decision', sa.JSON()),
                       sa.column('proposal', sa.JSON()), sa.column('received_on', sa.Date()),
                       sa.column('receiving_agency'), sa.column('completed_on', sa.Date()),
                       sa.column('working_days_used', sa.Integer()))
    consultation = sa.table('consultation', sa.column('id'), sa.column('dossier_id'),
                            sa.column('agency_code'), sa.column('status'),
                            sa.column('requested_at', when), sa.column('answered_at', when),
                            sa.column('due_date', sa.Date()),
                            sa.column('answered_late', sa.Boolean()),
                            sa.column('requested_on', sa.Date()),
                            sa.column('answered_on', sa.Date()),
                            sa.column('response_working_days', sa.Integer()))
    stagetime = sa.table('stagetime', sa.column('dossier_id'), sa.column('stage'),
                         sa.column('agency_code'), sa.column('started_on', sa.Date()),
                         sa.column('ended_on', sa.Date()),
                         sa.column('working_days', sa.Integer()), sa.column('procedure'),
                         sa.column('receiving_agency'))
    counts: Counter[tuple[Any, ...]] = Counter()
    facts: dict[str, dict[str, Any]] = {}
    updates = []
    for row in conn.execute(sa.select(dossier)).mappings():
        decision = row['decision'] or None
        agency_match = CODE.match(row['code'])
        values = {
            '_id': row['id'],
            'received_on': _local(row['received_at']),
            'receiving_agency': agency_match.group('agency') if agency_match else '',
            'completed_on': _local(row['completed_at']) if row['status'] in FINAL else None,
            'working_days_used': decision.get('working_days_used') if decision else None,
        }
        updates.append(values)
        facts[row['id']] = {**row, **values}
        key = (row['procedure'], values['receiving_agency'])
        counts[('received', values['received_on'], *key, '', '', '', -1)] += 1
        if values['completed_on'] is not None:
            is_decision = row['status'] in DECISIONS
            wd = values['working_days_used'] if is_decision else None
            counts[('ended', values['completed_on'], *key, '', row['status'],
                    (row['timeliness'] or 'late') if is_decision else '',
                    wd if wd is not None else -1)] += 1
    if updates:
        conn.execute(sa.update(dossier).where(dossier.c.id == sa.bindparam('_id')).values(
            received_on=sa.bindparam('received_on'),
            receiving_agency=sa.bindparam('receiving_agency'),
            completed_on=sa.bindparam('completed_on'),
            working_days_used=sa.bindparam('working_days_used')), updates)

    steps: list[dict[str, Any]] = []
    ends: dict[str, list[date]] = {}
    updates = []
    for row in conn.execute(sa.select(consultation)).mappings():
        owner = facts[row['dossier_id']]
        requested_on, answered_on = _local(row['requested_at']), _local(row['answered_at'])
        response = (calendar.working_days_between(row['requested_at'], row['answered_at'])
                    if row['answered_at'] is not None else None)
        updates.append({'_id': row['id'], 'requested_on': requested_on,
                        'answered_on': answered_on, 'response_working_days': response})
        category = {'answered': 'answered_late' if row['answered_late'] else 'answered_on_time',
                    'deemed_consent': 'deemed_consent',
                    'cancelled': 'cancelled'}.get(row['status'], 'pending')
        key = (owner['procedure'], owner['receiving_agency'])
        counts[('consultation', requested_on, *key, row['agency_code'], category, '',
                response if response is not None and row['status'] == 'answered' else -1)] += 1
        end = (answered_on if row['status'] == 'answered'
               else row['due_date'] if row['status'] in ('deemed_consent', 'overdue') else None)
        if end is not None:
            ends.setdefault(row['dossier_id'], []).append(end)
            if row['status'] != 'overdue':
                steps.append({'dossier_id': row['dossier_id'], 'stage': 'consultation',
                              'agency_code': row['agency_code'], 'started_on': requested_on,
                              'ended_on': end})
    if updates:
        conn.execute(sa.update(consultation).where(
            consultation.c.id == sa.bindparam('_id')).values(
            requested_on=sa.bindparam('requested_on'), answered_on=sa.bindparam('answered_on'),
            response_working_days=sa.bindparam('response_working_days')), updates)

    for dossier_id, row in facts.items():
        accepted = _local(row['accepted_at'])
        if accepted is None:
            continue
        steps.append({'dossier_id': dossier_id, 'stage': 'intake', 'agency_code': None,
                      'started_on': row['received_on'], 'ended_on': accepted})
        proposal = row['proposal'] or None
        if not proposal:
            continue
        proposed = _local(datetime.fromisoformat(proposal['proposed_at']))
        assert proposed is not None
        started = min(max([accepted, *ends.get(dossier_id, [])]), proposed)
        steps.append({'dossier_id': dossier_id, 'stage': 'drafting', 'agency_code': None,
                      'started_on': started, 'ended_on': proposed})
        if row['decision']:
            signed = _local(datetime.fromisoformat(row['decision']['signed_at']))
            steps.append({'dossier_id': dossier_id, 'stage': 'signature', 'agency_code': None,
                          'started_on': proposed, 'ended_on': signed})
    for step in steps:
        owner = facts[step['dossier_id']]
        step['working_days'] = max(
            calendar.working_days_between(step['started_on'], step['ended_on']), 0)
        step['procedure'] = owner['procedure']
        step['receiving_agency'] = owner['receiving_agency']
        counts[('stage', step['ended_on'], owner['procedure'], owner['receiving_agency'],
                step['agency_code'] or '', step['stage'], '', step['working_days'])] += 1
    if steps:
        conn.execute(stagetime.insert(), steps)

    rows: Counter[tuple[Any, ...]] = Counter()
    for (fact, day, *rest), n in counts.items():
        for grain, first in (('day', day), ('month', day.replace(day=1)), ('all', ALL_TIME)):
            rows[(fact, grain, first, *rest)] += n
    names = ('fact', 'grain', 'day', 'procedure', 'receiving_agency', 'agency', 'category',
             'timeliness', 'working_days')
    metriccount = sa.table('metriccount', *(sa.column(n) for n in names), sa.column('count'))
    if rows:
        conn.execute(metriccount.insert(), [{**dict(zip(names, key, strict=True)), 'count': n}
                                            for key, n in sorted(rows.items())])


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+): rebuilding tables that others reference would break
    # their foreign keys.
    op.drop_index('ix_consultation_status_due', table_name='consultation')
    op.drop_index('ix_dossier_pending', table_name='dossier')
    op.drop_index('ix_dossier_received_on', table_name='dossier')
    for table, column in (('consultation', 'response_working_days'),
                          ('consultation', 'answered_on'), ('consultation', 'requested_on'),
                          ('dossier', 'imported'), ('dossier', 'working_days_used'),
                          ('dossier', 'completed_on'), ('dossier', 'receiving_agency'),
                          ('dossier', 'received_on')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    op.drop_table('metriccount')
    op.drop_index('ix_stagetime_dossier_id', table_name='stagetime')
    op.drop_table('stagetime')
