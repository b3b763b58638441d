"""Walking the tree: what is read, what is skipped, and what is listed as invalid."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.tickets.index import TicketIndex
from dashboard.tickets.model import InvalidTicket, Ticket
from dashboard.tickets.scan import MAX_TICKET_BYTES, scan_tree
from tests.app.ticket_helpers import TicketTree, ticket_text


def indexed(tree: TicketTree) -> TicketIndex:
    index = TicketIndex()
    index.replace_all(scan_tree(tree.root))
    return index


def test_tickets_in_nested_folders_are_found(empty_tree: TicketTree):
    empty_tree.add("a/b/c/T-1.md", "T-1")
    empty_tree.add("T-2.md", "T-2")

    entries = scan_tree(empty_tree.root)

    assert sorted(entries) == [empty_tree.name("T-2.md"), empty_tree.name("a/b/c/T-1.md")]


def test_file_over_one_mib_is_skipped_with_reason(empty_tree: TicketTree):
    padding = "x" * (MAX_TICKET_BYTES + 1)
    empty_tree.write("big.md", ticket_text("T-1", body=padding))

    entry = scan_tree(empty_tree.root)[empty_tree.name("big.md")]

    assert isinstance(entry, InvalidTicket)
    assert "1 MiB" in entry.reason


def test_file_of_exactly_one_mib_is_read(empty_tree: TicketTree):
    head = ticket_text("T-1", body="")
    empty_tree.write("edge.md", head + "x" * (MAX_TICKET_BYTES - len(head)))

    entry = scan_tree(empty_tree.root)[empty_tree.name("edge.md")]

    assert isinstance(entry, Ticket)


def test_every_file_of_a_duplicated_id_is_invalid(empty_tree: TicketTree):
    empty_tree.add("one.md", "T-1")
    empty_tree.add("sub/two.md", "T-1")
    empty_tree.add("other.md", "T-2")

    index = indexed(empty_tree)

    invalid = {entry.path: entry.reason for entry in index.invalid()}
    assert set(invalid) == {empty_tree.name("one.md"), empty_tree.name("sub/two.md")}
    assert "duplicate id T-1" in invalid[empty_tree.name("one.md")]
    assert [t.id for t in index.tickets()] == ["T-2"]
    assert index.lookup("T-1").duplicate_paths


def test_invalid_file_claiming_an_id_makes_it_duplicate(empty_tree: TicketTree):
    empty_tree.add("good.md", "T-1")
    empty_tree.write("bad.md", "---\nid: T-1\ntitle: x\nstatus: nope\n---\n")

    index = indexed(empty_tree)

    assert index.tickets() == []
    assert len(index.invalid()) == 2


def test_symlinked_file_outside_root_is_not_followed(empty_tree: TicketTree, tmp_path: Path):
    outside = tmp_path / "outside.md"
    outside.write_text(ticket_text("SECRET-1"))
    os.symlink(outside, empty_tree.tickets / "link.md")

    entry = scan_tree(empty_tree.root)[empty_tree.name("link.md")]

    assert isinstance(entry, InvalidTicket)
    assert "outside the tickets root" in entry.reason


def test_symlinked_folder_outside_root_is_not_entered(empty_tree: TicketTree, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "S-1.md").write_text(ticket_text("S-1"))
    os.symlink(outside, empty_tree.tickets / "linked")

    entries = scan_tree(empty_tree.root)

    assert empty_tree.name("linked/S-1.md") not in entries
    assert isinstance(entries[empty_tree.name("linked")], InvalidTicket)


def test_symlink_inside_root_is_followed(empty_tree: TicketTree):
    real = empty_tree.root / "planning" / "drafts"
    real.mkdir()
    (real / "D-1.md").write_text(ticket_text("D-1"))
    os.symlink(real, empty_tree.tickets / "drafts")

    entries = scan_tree(empty_tree.root)

    assert isinstance(entries[empty_tree.name("drafts/D-1.md")], Ticket)


def test_symlink_loop_does_not_hang(empty_tree: TicketTree):
    empty_tree.add("loop/T-1.md", "T-1")
    os.symlink(empty_tree.tickets / "loop", empty_tree.tickets / "loop" / "again")

    entries = scan_tree(empty_tree.root)

    assert empty_tree.name("loop/T-1.md") in entries


@pytest.mark.parametrize(
    "relative",
    [".hidden.md", ".git/T-9.md", "notes.md~", "T-9.md.swp", ".#T-9.md", ".T-9.md.swp"],
)
def test_hidden_and_editor_temp_files_are_ignored(empty_tree: TicketTree, relative: str):
    empty_tree.add(relative, "T-9")

    assert scan_tree(empty_tree.root) == {}


def test_non_markdown_files_are_ignored(empty_tree: TicketTree):
    empty_tree.write("README.txt", ticket_text("T-1"))

    assert scan_tree(empty_tree.root) == {}


def test_fifo_is_not_opened(empty_tree: TicketTree):
    os.mkfifo(empty_tree.tickets / "pipe.md")

    assert scan_tree(empty_tree.root) == {}


def test_missing_tickets_folder_gives_empty_index(tmp_path: Path):
    assert scan_tree(tmp_path) == {}


def test_plain_files_are_not_resolved_one_by_one(
    empty_tree: TicketTree, monkeypatch: pytest.MonkeyPatch
):
    for number in range(50):
        empty_tree.add(f"T-{number}.md", f"T-{number}")
    calls: list[str] = []
    real_realpath = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda path: calls.append(path) or real_realpath(path))

    entries = scan_tree(empty_tree.root)

    assert len(entries) == 50
    assert len(calls) < 10  # the root and the folders, not every file
