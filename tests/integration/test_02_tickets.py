"""The one write feature and the watcher, through the published port and the host tree."""

from __future__ import annotations

import difflib
import json
import time

import pytest

from .conftest import wait_until

pytestmark = pytest.mark.docker

TICKET = "TICKET-120"


def _ticket_file(deployed):
    return deployed.tickets_dir / "planning" / "tickets" / f"{TICKET}.md"


def test_status_change_through_the_api_rewrites_only_status_and_updated(deployed, api):
    path = _ticket_file(deployed)
    before = path.read_bytes()
    response = api("POST", f"/api/tickets/{TICKET}/status", json={"status": "review"})
    assert response.status_code == 200, response.text
    after = path.read_bytes()
    diff = list(difflib.ndiff(before.decode().splitlines(True), after.decode().splitlines(True)))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert "status: open\n" in removed and "status: review\n" in added
    # Every other byte stays: only the status line and the updated line (added if absent).
    assert all(line.startswith(("status:", "updated:")) for line in removed + added), diff
    assert after.endswith(b"\n") == before.endswith(b"\n")


def test_status_change_is_written_to_the_audit_log(deployed, api, engine):
    api("POST", f"/api/tickets/{TICKET}/status", json={"status": "in_progress"})
    # Every replica appends to the one audit log on the shared data volume.
    container = engine.containers.get(deployed.replicas[0])
    out = container.exec_run(["python", "-c", "print(open('/data/audit.log').read())"])
    records = [json.loads(line) for line in out.output.decode().splitlines() if line.strip()]
    assert any(r.get("ticket_id", r.get("id")) == TICKET for r in records), records[-3:]
    assert any("in_progress" in json.dumps(r) for r in records)


def test_a_file_edited_on_the_host_shows_in_the_api_within_1s(deployed, api):
    path = _ticket_file(deployed)
    new_title = f"Edited on the host at {time.time():.0f}"
    text = path.read_text()
    old_title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(old_title, f"title: {new_title}"))
    started = time.monotonic()

    def shows_new_title() -> bool:
        return api("GET", f"/api/tickets/{TICKET}").json().get("title") == new_title

    assert wait_until(shows_new_title, timeout=1.0), "the edit did not reach the API in 1 s"
    print(f"host edit visible after {time.monotonic() - started:.2f}s")
