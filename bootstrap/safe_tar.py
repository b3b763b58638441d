"""Unpack a tarball only after every member has been checked, on any Python 3.11.

Debian bookworm's own python3 (3.11.2) predates tarfile's extraction filters
(``filter="data"`` came in 3.11.4), so the check is done here, before anything is
written, and runs on every Python: the same archive is refused the same way on both.
A member is refused when it is absolute, has a ``..`` component, lies outside the
archive's top folder, is a symlink or hard link that leads outside the destination
(following the archive's own symlinks), or is anything but a file, folder or link.
"""

from __future__ import annotations

import os
import tarfile
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

from .progress import BootstrapError

# Symlinks followed while resolving one path; more means a loop (Linux's own limit is 40).
_MAX_HOPS = 40


def unpack_tree(archive: Path, destination: Path) -> None:
    """Unpack ``archive`` (one top folder, as ``git archive`` writes) into the existing
    folder ``destination``, the top folder stripped. Raises before writing anything if
    any member is unsafe."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        originals = {id(member): member.name for member in members}
        _strip_top_folder(archive, members)
        _check_members(archive, members, originals)
        for member in members:
            _drop_ownership_and_special_bits(member)
        # Every member was checked above, on every Python (S202 is what this module answers).
        tar.extractall(destination, members=members, **_filter_argument())  # noqa: S202


def _strip_top_folder(archive: Path, members: list[tarfile.TarInfo]) -> None:
    if not members:
        return
    top = members[0].name.split("/")[0]
    for member in members:
        original = member.name
        if _escapes_by_name(original):
            raise _unsafe(archive, original, "has an absolute path or a '..' component")
        name = _below_top(original, top)
        if name is None:
            raise _unsafe(archive, original, f"lies outside the archive's top folder {top}/")
        member.name = name
        if member.islnk():
            # A hard link names another member by its path in the archive.
            target = None if _escapes_by_name(member.linkname) else _below_top(member.linkname, top)
            if target is None:
                reason = f"is a hard link to {member.linkname!r}, outside the archive's top folder"
                raise _unsafe(archive, original, reason)
            member.linkname = target


def _escapes_by_name(path: str) -> bool:
    return PurePosixPath(path).is_absolute() or ".." in path.split("/")


def _below_top(path: str, top: str) -> str | None:
    if path != top and not path.startswith(f"{top}/"):
        return None
    return path[len(top) :].lstrip("/") or "."


def _check_members(
    archive: Path, members: list[tarfile.TarInfo], originals: dict[int, str]
) -> None:
    symlinks = {_key(m.name): m.linkname for m in members if m.issym()}
    names = Counter(_key(m.name) for m in members)
    for member in members:
        reason = _refusal(member, symlinks, names)
        if reason:
            raise _unsafe(archive, originals[id(member)], reason)


def _refusal(member: tarfile.TarInfo, symlinks: dict[str, str], names: Counter[str]) -> str | None:
    """Why ``member`` must not be unpacked. Its name is already below the top folder,
    and neither it nor a hard link's target is absolute or has a '..' component.

    No member may lie below a symlink or share a symlink's name, so every member lands
    at its own name and the symlinks seen here are the ones on disk at every moment of
    the extraction: resolving a link through them is what the kernel will do."""
    if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
        return f"is a {_kind(member)}, not a file, folder or link"
    parts = _key(member.name).split("/")
    for depth in range(1, len(parts)):
        if "/".join(parts[:depth]) in symlinks:
            return f"lies below the symlink {'/'.join(parts[:depth])!r}"
    if "/".join(parts) in symlinks and names["/".join(parts)] > 1:
        return "appears more than once, once as a symlink"
    if member.issym() and PurePosixPath(member.linkname).is_absolute():
        return f"is a symlink to the absolute path {member.linkname!r}"
    if member.issym() and _resolve([*parts[:-1], *member.linkname.split("/")], symlinks) is None:
        return f"is a symlink to {member.linkname!r}, which leads outside the destination or loops"
    if member.islnk() and _resolve(member.linkname.split("/"), symlinks) is None:
        return f"is a hard link to {member.linkname!r}, which leads outside the destination"
    return None


def _resolve(parts: list[str], symlinks: dict[str, str]) -> list[str] | None:
    """The path below the destination that ``parts`` lead to, following the archive's
    symlinks the way the kernel will once they exist; None if it leaves the
    destination or loops."""
    resolved: list[str] = []
    pending = list(parts)
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return None
            resolved.pop()
            continue
        resolved.append(part)
        target = symlinks.get("/".join(resolved))
        if target is not None:
            hops += 1
            if hops > _MAX_HOPS or PurePosixPath(target).is_absolute():
                return None
            resolved.pop()
            pending = target.split("/") + pending
    return resolved


def _key(name: str) -> str:
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def _drop_ownership_and_special_bits(member: tarfile.TarInfo) -> None:
    """What the "data" filter does to a member, done by hand so that 3.11.2 matches:
    the files belong to whoever unpacks them (tarfile chowns as root), with no
    setuid/setgid/sticky bits and no group or other write."""
    member.uid, member.gid, member.uname, member.gname = os.getuid(), os.getgid(), "", ""
    if member.isdir():
        member.mode = 0o755
    elif member.isreg() or member.islnk():
        mode = member.mode & 0o755
        if not mode & 0o100:
            mode &= ~0o111
        member.mode = mode | 0o600


def _filter_argument() -> dict[str, Any]:  # Any: extractall's filter is a Literal
    # Where Python has filters, "data" guards again (and keeps 3.12+ from warning).
    return {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _kind(member: tarfile.TarInfo) -> str:
    if member.ischr():
        return "character device"
    if member.isblk():
        return "block device"
    if member.isfifo():
        return "FIFO"
    return f"member of tar type {member.type!r}"


def _unsafe(archive: Path, name: str, reason: str) -> BootstrapError:
    return BootstrapError(
        f"{archive}: member {name!r} {reason}; nothing was unpacked",
        f"replace {archive.name} with the untouched upstream archive (its SHA256SUMS and "
        "SOURCES.md say which), then re-run: make bootstrap",
    )
