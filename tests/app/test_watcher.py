"""The watcher keeps the index current with real file-system events (inotify and polling)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from dashboard.services import services_of
from dashboard.watcher import Debouncer, TicketWatcher, _Handler
from tests.app.ticket_helpers import TicketTree, ticket_text, wait_until

WATCH_MODES = [
    pytest.param({"watch": True}, id="native"),
    pytest.param({"watch": True, "watch_polling": True, "watch_poll_interval": 0.1}, id="polling"),
]


def status_of(app: Flask, ticket_id: str) -> str | None:
    ticket = services_of(app).store.index.lookup(ticket_id).ticket
    return ticket.status if ticket else None


@pytest.mark.parametrize("mode", WATCH_MODES)
def test_edited_file_updates_index_within_a_second(
    make_app: Callable[..., Flask], ticket_tree: TicketTree, mode: dict
):
    app = make_app(**mode)
    assert services_of(app).watcher_alive()

    ticket_tree.add("T-1.md", "T-1", "blocked")

    assert wait_until(lambda: status_of(app, "T-1") == "blocked", timeout=1.5)


@pytest.mark.parametrize("mode", WATCH_MODES)
def test_created_and_deleted_files_are_seen(
    make_app: Callable[..., Flask], ticket_tree: TicketTree, mode: dict
):
    app = make_app(**mode)

    ticket_tree.add("fresh/T-7.md", "T-7")
    (ticket_tree.tickets / "T-4.md").unlink()

    assert wait_until(lambda: status_of(app, "T-7") == "open" and status_of(app, "T-4") is None)


def test_editor_style_save_via_rename_is_seen(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    app = make_app(watch=True)
    temp = ticket_tree.tickets / ".T-1.md.swp"

    temp.write_text(ticket_text("T-1", "review"))
    os.replace(temp, ticket_tree.tickets / "T-1.md")

    assert wait_until(lambda: status_of(app, "T-1") == "review")


def test_own_registry_writes_cause_no_events(
    make_app: Callable[..., Flask], ticket_tree: TicketTree
):
    app = make_app(watch=True)
    subscription = services_of(app).feed.subscribe()

    ticket_tree.add("T-1.md", "T-1", "blocked")  # changes the registry too

    first = subscription.get(timeout=2)
    assert first is not None and first.data["id"] == "T-1"
    assert subscription.get(timeout=0.5) is None  # no echo from TICKET_REGISTRY.md


def test_watcher_stops_with_services(make_app: Callable[..., Flask]):
    app = make_app(watch=True)
    watcher = services_of(app).watcher

    services_of(app).stop()

    assert watcher is not None and not watcher.is_alive()


@pytest.mark.parametrize("mode", WATCH_MODES)
def test_planning_folder_created_after_start_is_picked_up(
    make_app: Callable[..., Flask], tmp_path: Path, mode: dict
):
    root = tmp_path / "late-root"
    root.mkdir()
    app = make_app(tickets_dir=root, **mode)
    services = services_of(app)
    assert services.watcher_state()["alive"] is False
    assert "waiting for" in str(services.watcher_state()["error"])

    tree = TicketTree(root)  # makes planning/tickets/
    tree.add("T-1.md", "T-1", "review")  # written before the observer can exist

    assert wait_until(lambda: status_of(app, "T-1") == "review", timeout=6)
    state = services.watcher_state()
    assert state["alive"] is True and state["error"] is None
    tree.add("T-2.md", "T-2", "blocked")  # and events flow from now on
    assert wait_until(lambda: status_of(app, "T-2") == "blocked", timeout=3)


def test_watcher_waiting_for_its_folder_stops_promptly(tmp_path: Path):
    watcher = TicketWatcher(tmp_path, lambda _paths: None, retry=0.05)
    watcher.start()

    watcher.stop()
    (tmp_path / "planning").mkdir()  # too late: a stopped watcher must not come alive

    assert not wait_until(watcher.is_alive, timeout=0.3)


def test_unwatchable_folder_reports_the_os_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "planning").mkdir()
    watcher = TicketWatcher(tmp_path, lambda _paths: None)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watcher, "_new_observer", lambda: _Refusing(refuse))
    watcher.start()

    assert watcher.is_alive() is False
    assert watcher.error == f"cannot watch {tmp_path / 'planning'}: inotify watch limit reached"
    watcher.stop()


class _Refusing:
    def __init__(self, schedule: Callable[..., None]) -> None:
        self.schedule = schedule


def test_debouncer_coalesces_a_burst_into_one_batch():
    batches: list[set[str]] = []
    flushed = threading.Event()

    def flush(batch: set[str]) -> None:
        batches.append(batch)
        flushed.set()

    debouncer = Debouncer(flush, window=0.05, max_delay=1.0)
    debouncer.start()
    for name in ("a", "b", "a", "c"):
        debouncer.add({name})

    assert flushed.wait(1)
    debouncer.stop()
    assert batches == [{"a", "b", "c"}]


def test_reading_ticket_files_raises_no_watcher_events(
    ticket_tree: TicketTree, monkeypatch: pytest.MonkeyPatch
):
    seen: list[str] = []
    monkeypatch.setattr(_Handler, "on_any_event", lambda _self, event: seen.append(event.src_path))
    watcher = TicketWatcher(ticket_tree.root, lambda _paths: None)
    watcher.start()
    try:
        for path in ticket_tree.tickets.rglob("*.md"):
            path.read_bytes()  # what every scan does to every file
        marker = ticket_tree.add("T-9.md", "T-9")  # events arrive in order: this one last

        assert wait_until(lambda: str(marker) in seen)
        assert set(seen) == {str(marker)}
    finally:
        watcher.stop()
