"""Once-only rules over HTTP: one intake supplement, one review supplement, one extension."""

from __future__ import annotations

from tests.conftest import Clock
from tests.integration.conftest import Client
from tests.integration.helpers import act, ok, operation_issue


def _refused(client: Client, dossier_id: str, action: str, body: dict[str, object]) -> str:
    """The 409's detail; the dossier is unchanged (same version)."""
    before = ok(client("handler").get(f"/dossiers/{dossier_id}"))
    r = client("handler").post(f"/dossiers/{dossier_id}/actions/{action}", json=body)
    assert r.status_code == 409, r.text
    assert ok(client("handler").get(f"/dossiers/{dossier_id}"))["version"] == before["version"]
    detail: str = r.json()["detail"]
    return detail


def test_each_supplement_is_asked_once_in_its_phase(client: Client, clock: Clock) -> None:
    """Form 02 once at intake; once more during review; a third is refused with its rule."""
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    act(h, d["id"], "request-supplement", {"missing": ["Charter"], "note": ""})
    act(h, d["id"], "receive-supplement", {"note": "received"})
    detail = _refused(client, d["id"], "request-supplement", {"missing": ["Budget"], "note": ""})
    assert "during intake" in detail and "guided once" in detail and "Decree 118/2025" in detail

    act(h, d["id"], "accept")  # the review has its own allowance
    d = act(h, d["id"], "request-supplement", {"missing": ["Signed budget"], "note": ""})
    assert d["suspended"] is True
    act(h, d["id"], "receive-supplement", {"note": "received"})
    detail = _refused(client, d["id"], "request-supplement", {"missing": ["Plan"], "note": ""})
    assert "during review" in detail and "asked once" in detail


def test_the_extension_letter_is_given_once(client: Client, clock: Clock) -> None:
    """Form 04 once: the second apology and new date is refused, citing Circular 01/2018."""
    clock.set(2026, 11, 23, 9, 0)
    h = client("handler")
    d = ok(h.post("/dossiers", json=operation_issue()), 201)
    d = act(h, d["id"], "accept")
    assert d["due_date"] == "2027-01-06"  # 30 WD from Mon 23/11/2026, 24/11 and 1/1 off
    d = act(h, d["id"], "extend", {"reason": "A province has not answered", "working_days": 5})
    assert d["due_date"] == "2027-01-13"  # 7, 8, 11, 12, 13 January
    detail = _refused(client, d["id"], "extend", {"reason": "Again", "working_days": 5})
    assert "extend is allowed 1 time(s)" in detail and "Circular 01/2018/TT-VPCP" in detail
    assert "extend" not in ok(h.get(f"/dossiers/{d['id']}"))["allowed_actions"]
