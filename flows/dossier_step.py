"""Prefect flow `dossier-step`: one step of a dossier's review, one task per side effect.

Called in process by the step runner (`flows/step_runner.py`), named `<step> <dossier code>` and
tagged `dossier:`, `procedure:` and `step:`, so filtering Prefect's runs by a dossier's tag
shows its whole review in order. Each task sends one message (e.g. `request BCA`); the flow
then refreshes the dossier's table artifact (`dossier-<code>`) with its timeline.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import anyio
from prefect import flow, tags, task
from prefect.artifacts import acreate_table_artifact
from prefect.client.schemas.objects import State
from prefect.context import TagsContext
from prefect.events import emit_event
from sqlalchemy import Engine

from flows.runtime import current
from flows.service import outbox
from flows.service.dossier_steps import ClaimedStep
from flows.service.views import get_dossier, history
from notifications.delivery import deliver_messages

ARTIFACT_PREFIX = "dossier-"


class StepFailed(RuntimeError):
    """A task of the step did not do its side effect; the runner retries the step later."""


@task(retries=2, retry_delay_seconds=[1, 5])
async def deliver_message(outbox_id: str, due_only: bool = True) -> str:
    """Send one message if due; what became of it.

    An SMTP failure is one attempt of the outbox's own back-off (30 s, doubling, then dead and
    administrators alerted), which the periodic delivery keeps: retrying it here within
    seconds would spend every attempt on a short outage. Retries here are for the rest.
    """
    runtime = current()
    summary = await deliver_messages(
        runtime.engine, runtime.settings, [outbox_id], due_only=due_only
    )
    if summary.sent:
        return "sent"
    if summary.dead:
        return "not sent and dead: " + "; ".join(summary.errors)
    if summary.failed:
        return "not sent, delivery retries it after its back-off: " + "; ".join(summary.errors)
    if summary.skipped:
        return "skipped"
    sent = await anyio.to_thread.run_sync(outbox.sent_at, runtime.engine, outbox_id)
    if sent is not None:  # most often by the delivery woken right after the action's commit
        return f"sent at {sent.isoformat(timespec='seconds')}"
    return "nothing due (dead, held by another deliverer or waiting for its back-off)"


def artifact_key(dossier_code: str) -> str:
    """Prefect allows only [a-z0-9-] in artifact keys."""
    return ARTIFACT_PREFIX + "".join(
        ch if ch.isascii() and (ch.isalnum() or ch == "-") else "-" for ch in dossier_code.lower()
    )


def timeline_rows(engine: Engine, dossier_id: str, now: datetime) -> list[dict[str, Any]]:
    """The dossier's history, each action with the deadline of the step it ended, if any."""
    view = get_dossier(engine, dossier_id, now)
    ended = {st.ended_at: st for st in view.steps if st.ended_at is not None}
    rows: list[dict[str, Any]] = []
    for item in history(engine, dossier_id):
        st = ended.get(item.at)
        rows.append(
            {
                "at": item.at.isoformat(timespec="minutes"),
                "action": item.action,
                "by": item.actor,
                "status": item.to_status,
                "step": st.name if st else "",
                "deadline": st.due_date.isoformat() if st and st.due_date else "",
                "timeliness": _timeliness(st.due_date, st.ended_at) if st else "",
            }
        )
    for st in view.steps:  # steps still open: their deadline ahead
        if st.ended_at is None:
            rows.append(
                {
                    "at": "",
                    "action": f"(open) {st.name}",
                    "by": st.role,
                    "status": st.status,
                    "step": st.name,
                    "deadline": st.due_date.isoformat() if st.due_date else "",
                    "timeliness": "late" if st.overdue else "",
                }
            )
    if view.decision is not None:
        rows.append(
            {
                "at": view.decision.signed_at.isoformat(timespec="minutes"),
                "action": f"result: {view.decision.outcome}",
                "by": view.decision.signed_by,
                "status": view.status,
                "step": "dossier",
                "deadline": view.due_date.isoformat() if view.due_date else "",
                "timeliness": view.decision.timeliness,
            }
        )
    return rows


def _timeliness(due: Any, ended: datetime | None) -> str:
    if due is None or ended is None:
        return ""
    from flows.calendar import local_date

    day = local_date(ended)
    return "early" if day < due else "on_time" if day == due else "late"


@task
async def refresh_artifact(dossier_id: str, dossier_code: str) -> str:
    """The dossier's table artifact: its timeline, each step's deadline and timeliness."""
    runtime = current()
    # In a thread: the reads must not hold up the event loop that runs the API beside us.
    rows = await anyio.to_thread.run_sync(
        timeline_rows, runtime.engine, dossier_id, runtime.clock()
    )
    key = artifact_key(dossier_code)
    await acreate_table_artifact(
        table=rows, key=key, description=f"Timeline of dossier {dossier_code}"
    )
    return key


def relay_event(
    step_id: str, dossier_code: str, procedure: str, name: str, tasks: list[dict[str, Any]]
) -> None:
    """The step as a Prefect event: resource the dossier, related the agencies it concerns.

    Its id is derived from the step's, so a re-run relays the same event (Prefect keeps one).
    """
    agencies = sorted({str(t["agency"]) for t in tasks if t.get("agency")})
    emit_event(
        event=f"ngo-review.dossier.{name}",
        resource={
            "prefect.resource.id": f"ngo-review.dossier.{dossier_code}",
            "prefect.resource.name": dossier_code,
        },
        related=[
            {
                "prefect.resource.id": f"ngo-review.agency.{code}",
                "prefect.resource.role": "agency",
                "prefect.resource.name": code,
            }
            for code in agencies
        ]
        + [
            {
                "prefect.resource.id": f"ngo-review.procedure.{procedure}",
                "prefect.resource.role": "procedure",
            }
        ],
        payload={"step": name, "tasks": [str(t["name"]) for t in tasks]},
        id=uuid.uuid5(uuid.UUID(step_id), "event"),
    )


@flow(name="dossier-step")
async def dossier_step(
    step_id: str,
    dossier_id: str,
    dossier_code: str,
    procedure: str,
    name: str,
    tasks: list[dict[str, Any]],
    due_only: bool = True,
) -> dict[str, Any]:
    """Do the step's side effects, one task each, then refresh the dossier's artifact.

    `due_only` false (a run by hand) sends messages even before their back-off ends.
    """
    states: list[State[Any]] = []
    # The run's tags (dossier, procedure, step) stay on the flow run only: a tagged task asks the
    # server for tag concurrency slots before it starts, a write that waited ~2 s on the local
    # SQLite server's lock (bench/notify.py), per task.
    with TagsContext(current_tags=set()):
        for item in tasks:
            named = deliver_message.with_options(task_run_name=str(item["name"]))
            state: State[Any] = await named(str(item["outbox_id"]), due_only, return_state=True)  # type: ignore[misc]
            states.append(state)
        await refresh_artifact(dossier_id, dossier_code)
    relay_event(step_id, dossier_code, procedure, name, tasks)
    failed = [str(t["name"]) for t, s in zip(tasks, states, strict=True) if not s.is_completed()]
    if failed:
        raise StepFailed(f"step {name} of {dossier_code}: not done: {', '.join(failed)}")
    return {"step": step_id, "tasks": [str(t["name"]) for t in tasks]}


async def run_step(step: ClaimedStep) -> str | None:
    """The step as a named, tagged flow run in this process; its flow run id."""
    run = dossier_step.with_options(flow_run_name=f"{step.name} {step.dossier_code}")
    with tags(f"dossier:{step.dossier_code}", f"procedure:{step.procedure}", f"step:{step.name}"):
        state = await run(
            step.id,
            step.dossier_id,
            step.dossier_code,
            step.procedure,
            step.name,
            step.tasks,
            return_state=True,
        )
    if not state.is_completed():
        raise StepFailed(state.message or f"step {step.name} of {step.dossier_code} failed")
    return str(state.state_details.flow_run_id) if state.state_details.flow_run_id else None


@flow(name="rerun-dossier-step")
async def rerun_dossier_step(step_id: str) -> dict[str, Any]:
    """Run one step again, chosen by id (the `dossier-step` deployment, from the Prefect UI).

    Its messages already sent stay sent (the outbox keeps each once); the artifact and event are
    refreshed.
    """
    from flows.service.dossier_steps import get_step

    step = get_step(current().engine, step_id)
    return await dossier_step.with_options(flow_run_name=f"{step.name} {step.dossier_code}")(
        step.id, step.dossier_id, step.dossier_code, step.procedure, step.name, step.tasks, False
    )
