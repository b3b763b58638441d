"""Concurrent status changes of one ticket, spread by the proxy over both real replicas.

Every writer sends the same If-Match (the ETag it read): the check and the write are one
critical section across processes (an flock in the shared tree), so exactly one wins and
every other one gets 412, whichever replica it reached.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from dashboard.tickets.model import STATUSES, Ticket
from dashboard.tickets.parse import parse_ticket

pytestmark = pytest.mark.docker

TICKET = "TICKET-101"
WRITERS = 12
# HAProxy's httplog: `... dashboard replicas/replica2 0/0/0/3/3 200 ... "POST /path HTTP/1.1"`.
REQUEST_LINE = re.compile(r" replicas/(?P<slot>\S+) .* \"(?P<method>[A-Z]+) (?P<path>\S+) HTTP")
# Logged when DNS fills a server slot: `replicas/replica1 changed its IP from X to Y by ...`.
SLOT_ADDRESS = re.compile(r"replicas/(?P<slot>\S+) changed its IP from \S+ to (?P<ip>[\d.]+)")


@dataclass
class Writes:
    statuses: list[str]
    codes: list[int]
    before: bytes
    path: str
    since: int


@pytest.fixture(scope="module")
def writes(deployed) -> Writes:
    headers = {"Authorization": f"Bearer {deployed.api_token}"} if deployed.api_token else {}
    url = f"{deployed.outputs['url']}/api/tickets/{TICKET}"
    current = requests.get(url, headers=headers, timeout=10)
    current.raise_for_status()
    ticket = current.json()
    before = (deployed.tickets_dir / ticket["path"]).read_bytes()
    others = [status for status in STATUSES if status != ticket["status"]]
    statuses = [others[index % len(others)] for index in range(WRITERS)]
    conditional = {**headers, "If-Match": current.headers["ETag"]}
    start = threading.Barrier(WRITERS)

    def write(status: str) -> int:
        start.wait(timeout=30)
        response = requests.post(
            f"{url}/status", json={"status": status}, headers=conditional, timeout=30
        )
        return response.status_code

    since = int(time.time())
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        codes = list(pool.map(write, statuses))
    print(f"{WRITERS} writers with one If-Match: {codes}")
    return Writes(statuses, codes, before, ticket["path"], since)


def test_exactly_one_writer_wins_per_etag(writes):
    assert sorted(writes.codes) == [200] + [412] * (WRITERS - 1), writes.codes


def test_the_file_parses_and_holds_only_the_winners_change(deployed, writes):
    winner = writes.statuses[writes.codes.index(200)]
    after = (deployed.tickets_dir / writes.path).read_bytes()
    entry = parse_ticket(after, writes.path)
    assert isinstance(entry, Ticket), entry
    assert entry.status == winner
    diff = difflib.ndiff(writes.before.decode().splitlines(), after.decode().splitlines())
    changed = [line[2:] for line in diff if line.startswith(("- ", "+ "))]
    assert all(line.startswith(("status:", "updated:")) for line in changed), changed


def _replica_addresses(engine, names: list[str]) -> dict[str, str]:
    addresses = {}
    for name in names:
        networks = engine.api.inspect_container(name)["NetworkSettings"]["Networks"]
        for network in networks.values():
            addresses[network["IPAddress"]] = name
    return addresses


def test_the_proxy_spread_the_writes_over_every_replica(deployed, engine, writes):
    proxy = engine.containers.get(deployed.container("proxy"))
    whole_log = proxy.logs().decode(errors="replace").splitlines()
    slot_ip = {m["slot"]: m["ip"] for line in whole_log if (m := SLOT_ADDRESS.search(line))}
    served = [
        match["slot"]
        for line in proxy.logs(since=writes.since).decode(errors="replace").splitlines()
        if (match := REQUEST_LINE.search(line))
        and match["method"] == "POST"
        and match["path"] == f"/api/tickets/{TICKET}/status"
    ]
    assert len(served) == WRITERS, served
    by_address = _replica_addresses(engine, deployed.replicas)
    writers_by_replica = {
        by_address.get(slot_ip.get(slot, ""), f"unknown slot {slot}") for slot in served
    }
    assert writers_by_replica == set(deployed.replicas), (served, slot_ip, by_address)


def test_the_stack_still_previews_no_changes(deployed, writes):
    deployed.preview(expect_no_changes=True)
