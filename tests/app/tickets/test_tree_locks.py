"""Lock files shared by the processes writing one tree: where they are, what they exclude."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.tickets.scan import is_in_tickets_dir, scan_tree
from dashboard.tickets.tree_locks import (
    exclusive,
    exclusive_or_skip,
    locks_dir,
    registry_lock_path,
    ticket_lock_path,
)
from dashboard.watcher import TicketWatcher
from tests.app.ticket_helpers import TicketTree, lock_held_by_another_process, wait_until


def test_a_status_change_locks_a_file_named_for_the_id_in_planning(client, ticket_tree: TicketTree):
    client.post("/api/tickets/T-1/status", json={"status": "review"})

    lock = ticket_lock_path(ticket_tree.root, "T-1")
    assert lock == ticket_tree.root / "planning" / ".locks" / "T-1.lock"
    assert lock.is_file() and lock.stat().st_size == 0


def test_lock_files_are_not_tickets(client, ticket_tree: TicketTree):
    client.post("/api/tickets/T-1/status", json={"status": "review"})
    lock = ticket_lock_path(ticket_tree.root, "T-1")

    assert not is_in_tickets_dir(ticket_tree.root, lock)  # so the watcher drops its events
    assert not any(".locks" in name for name in scan_tree(ticket_tree.root))


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_taking_locks_gives_the_watcher_nothing_to_reindex(ticket_tree: TicketTree, polling: bool):
    batches: list[set[str]] = []
    watcher = TicketWatcher(ticket_tree.root, batches.append, polling=polling, poll_interval=0.1)
    watcher.start()
    try:
        for ticket_id in ("T-1", "T-2", "T-1"):
            with exclusive(ticket_lock_path(ticket_tree.root, ticket_id)):
                pass
        with exclusive_or_skip(registry_lock_path(ticket_tree.root)):
            pass
        time.sleep(0.5)  # several debounce windows and polls

        assert batches == []
        ticket_tree.add("T-1.md", "T-1", "blocked")  # while a real edit is seen
        assert wait_until(lambda: batches != [])
    finally:
        watcher.stop()


def test_a_lock_held_by_another_process_is_waited_for(ticket_tree: TicketTree):
    path = ticket_lock_path(ticket_tree.root, "T-1")
    entered = threading.Event()

    def take() -> None:
        with exclusive(path):
            entered.set()

    with lock_held_by_another_process(path):
        taker = threading.Thread(target=take)
        taker.start()
        assert not entered.wait(0.3)
    assert entered.wait(5)
    taker.join()


def test_a_busy_lock_is_skipped_without_waiting(ticket_tree: TicketTree):
    path = registry_lock_path(ticket_tree.root)

    with lock_held_by_another_process(path):
        started = time.monotonic()
        with exclusive_or_skip(path) as held:
            assert held is False
        assert time.monotonic() - started < 0.5
    with exclusive_or_skip(path) as held:
        assert held is True


def test_the_locks_folder_is_created_when_first_needed(ticket_tree: TicketTree):
    assert not locks_dir(ticket_tree.root).exists()

    with exclusive(ticket_lock_path(ticket_tree.root, "T-9")):
        assert locks_dir(ticket_tree.root).is_dir()


@pytest.mark.parametrize("not_an_id", ["../T-1", "t-1", "T-1/x", ""])
def test_only_a_ticket_id_names_a_lock_file(ticket_tree: TicketTree, not_an_id: str):
    with pytest.raises(ValueError, match="not a ticket id"):
        ticket_lock_path(ticket_tree.root, not_an_id)
