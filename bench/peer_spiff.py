"""The peer of bench/lifecycle.py: the same issuance lifecycle on SpiffWorkflow, from BPMN.

Runs inside its own environment (bench/lifecycle.py --peer spiff creates it with spiffworkflow
pinned); uses only SpiffWorkflow and the standard library. The process, written here as BPMN:
accept, consult, one answer per agency in parallel (a parallel gateway), propose, sign. Each
human action is a request as a server would see it: load the case's row from an SQLite file,
deserialize the workflow, run the user task (with its form data) and the engine steps after it,
serialize, write the row back and commit; creating the case is the first action.
Run: python bench/peer_spiff.py --dossiers 200 --agencies 6 --db /tmp/peer.db
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
import uuid

from SpiffWorkflow.bpmn import BpmnWorkflow  # type: ignore[import-not-found]
from SpiffWorkflow.bpmn.parser import BpmnParser  # type: ignore[import-not-found]
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # type: ignore[import-not-found]
from SpiffWorkflow.util.task import TaskState  # type: ignore[import-not-found]

NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def bpmn(agencies: int) -> str:
    """The issuance process: three user tasks, `agencies` parallel answers, two more."""
    answers = "".join(
        f'<bpmn:userTask id="answer_{i}" name="answer {i}"/>'
        f'<bpmn:sequenceFlow id="to_answer_{i}" sourceRef="split" targetRef="answer_{i}"/>'
        f'<bpmn:sequenceFlow id="from_answer_{i}" sourceRef="answer_{i}" targetRef="join"/>'
        for i in range(agencies)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="defs" targetNamespace="http://ngo-review.example/bench">
<bpmn:process id="issuance" isExecutable="true">
<bpmn:startEvent id="received"/>
<bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="accept"/>
<bpmn:userTask id="accept" name="accept"/>
<bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="consult"/>
<bpmn:userTask id="consult" name="consult"/>
<bpmn:sequenceFlow id="f3" sourceRef="consult" targetRef="split"/>
<bpmn:parallelGateway id="split"/>
{answers}
<bpmn:parallelGateway id="join"/>
<bpmn:sequenceFlow id="f4" sourceRef="join" targetRef="propose"/>
<bpmn:userTask id="propose" name="propose"/>
<bpmn:sequenceFlow id="f5" sourceRef="propose" targetRef="sign"/>
<bpmn:userTask id="sign" name="sign"/>
<bpmn:sequenceFlow id="f6" sourceRef="sign" targetRef="signed"/>
<bpmn:endEvent id="signed"/>
</bpmn:process>
</bpmn:definitions>"""


class Store:
    """One row per case (id, serialized workflow), in an SQLite file."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS cases (id TEXT PRIMARY KEY, state TEXT)")
        self.serializer = BpmnWorkflowSerializer()

    def create(self, spec: object) -> str:
        """A new case, its engine steps run, saved."""
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        case = str(uuid.uuid4())
        with self.db:
            self.db.execute(
                "INSERT INTO cases VALUES (?, ?)", (case, self.serializer.serialize_json(workflow))
            )
        return case

    def act(self, case: str, task_name: str, data: dict[str, object]) -> None:
        """One human action: load, run the ready user task `task_name`, steps, save."""
        (state,) = self.db.execute("SELECT state FROM cases WHERE id = ?", (case,)).fetchone()
        workflow = self.serializer.deserialize_json(state)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        task = next(t for t in ready if t.task_spec.name == task_name)
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        with self.db:
            self.db.execute(
                "UPDATE cases SET state = ? WHERE id = ?",
                (self.serializer.serialize_json(workflow), case),
            )


def lifecycle(store: Store, spec: object, agencies: int) -> bool:
    """Create, accept, consult, every answer, propose, sign; whether the case completed."""
    case = store.create(spec)
    store.act(case, "accept", {"accepted_by": "Bench Handler"})
    store.act(case, "consult", {"agencies": [f"A{i}" for i in range(agencies)]})
    for i in range(agencies):
        store.act(case, f"answer_{i}", {f"opinion_{i}": "agree"})
    store.act(case, "propose", {"outcome": "approve"})
    store.act(case, "sign", {"signed_by": "Bench Leader"})
    (state,) = store.db.execute("SELECT state FROM cases WHERE id = ?", (case,)).fetchone()
    return bool(store.serializer.deserialize_json(state).is_completed())


def main() -> None:
    """Run n lifecycles and print dossiers/s."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--agencies", type=int, default=6)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    bpmn_parser = BpmnParser()
    bpmn_parser.add_bpmn_str(bpmn(args.agencies).encode())
    spec = bpmn_parser.get_spec("issuance")
    store = Store(args.db)
    lifecycle(store, spec, args.agencies)  # warm-up, not counted
    start = time.perf_counter()
    completed = sum(lifecycle(store, spec, args.agencies) for _ in range(args.dossiers))
    elapsed = time.perf_counter() - start
    actions = args.agencies + 5
    sys.stdout.write(
        json.dumps(
            {
                "dossiers": args.dossiers,
                "completed": completed,
                "actions_per_dossier": actions,
                "seconds": round(elapsed, 2),
                "dossiers_per_second": round(args.dossiers / elapsed, 1),
                "actions_per_second": round(args.dossiers * actions / elapsed, 1),
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
