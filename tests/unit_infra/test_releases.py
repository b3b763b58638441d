"""Release bookkeeping: ids, order, the rollback target, the healthy record, pruning, pins,
and the table `make releases` prints."""

from pathlib import Path
from types import SimpleNamespace

import docker
import pytest

from ops.releases import NO_SBOM, release_rows
from ticket_dashboard.dynamic.release_pruning import ReleasePruningProvider
from ticket_dashboard.dynamic.sbom import sbom_path
from ticket_dashboard.releases import (
    HEALTHY_KEPT,
    Release,
    ReleaseNotFound,
    find_release,
    pinned_image,
    previous_release,
    record_healthy,
    release_id,
    releases_to_prune,
    rollback_target,
    stack_releases,
)

REPO = "ticket-dashboard-dev"


def _image(digit: str, created: str, tags: list[str]) -> SimpleNamespace:
    return SimpleNamespace(id="sha256:" + digit * 64, attrs={"Created": created}, tags=tags)


class _Images:
    def __init__(self, images: list[SimpleNamespace]) -> None:
        self._images = images

    def list(self, name: str) -> list[SimpleNamespace]:
        return [
            image for image in self._images if any(t.startswith(name + ":") for t in image.tags)
        ]


class _Client:
    def __init__(self, *images: SimpleNamespace) -> None:
        self.images = _Images(list(images))
        self.closed = False

    def close(self) -> None:
        self.closed = True


ENGINE = _Client(
    _image("a", "2026-12-01T10:00:00Z", [f"{REPO}:one"]),
    _image("c", "2026-12-01T12:00:00Z", [f"{REPO}:three", "other:x"]),
    _image("b", "2026-12-01T11:00:00Z", [f"{REPO}:two"]),
    _image("d", "2026-12-01T13:00:00Z", ["ticket-dashboard-prod:four"]),
)


def _ids(releases: list[Release]) -> list[str]:
    return [release.id for release in releases]


def test_a_release_is_named_by_twelve_digits_of_its_image_id() -> None:
    assert release_id("sha256:" + "0123456789abcdef" * 4) == "0123456789ab"


def test_the_stack_repository_lists_its_releases_newest_first() -> None:
    releases = stack_releases(ENGINE, REPO)
    assert _ids(releases) == ["c" * 12, "b" * 12, "a" * 12]
    assert releases[0].tags == (f"{REPO}:three",)


def test_the_previous_release_is_the_one_built_before_the_running_one() -> None:
    releases = stack_releases(ENGINE, REPO)
    assert previous_release(releases, "c" * 12).id == "b" * 12
    assert previous_release(releases, "a" * 12) is None


def test_pruning_keeps_the_newest_and_the_running_release() -> None:
    releases = stack_releases(ENGINE, REPO)
    assert _ids(releases_to_prune(releases, 1, ["c" * 12])) == ["b" * 12, "a" * 12]
    assert _ids(releases_to_prune(releases, 1, ["a" * 12])) == ["b" * 12]
    assert releases_to_prune(releases, 5, []) == []


def test_a_pin_resolves_to_the_full_image_id() -> None:
    assert pinned_image(REPO, "b" * 12, lambda: ENGINE) == "sha256:" + "b" * 64
    assert pinned_image(REPO, None, lambda: ENGINE) is None


def test_an_unknown_pin_names_the_releases_there_are_and_the_fix() -> None:
    with pytest.raises(ReleaseNotFound) as raised:
        find_release(stack_releases(ENGINE, REPO), "d" * 12)
    message = str(raised.value)
    assert "c" * 12 in message and "make releases" in message
    assert "pulumi config rm ticket-dashboard:release" in message


# --- the rollback target: the last release that ran healthy ---------------------------------

# Built in this order: a and b ran healthy, f failed its gates (it never ran), c runs now.
A, B, F, C = (
    Release(id=d * 12, image_id="sha256:" + d * 64, created=f"2026-12-01T1{n}:00:00Z", tags=())
    for n, d in enumerate("abfc")
)
HISTORY = [C, F, B, A]  # newest first, as stack_releases lists them
RAN_HEALTHY = [C.id, B.id, A.id]


def test_rollback_skips_a_failed_release_built_in_between() -> None:
    assert previous_release(HISTORY, C.id) == F  # what the default used to be
    assert rollback_target(HISTORY, C.id, RAN_HEALTHY) == B


def test_a_second_rollback_steps_further_back_in_build_order() -> None:
    # After rolling back to b, b ran healthy most recently; the next default is a, not c.
    assert rollback_target(HISTORY, B.id, [B.id, C.id, A.id]) == A


def test_rollback_has_no_default_when_nothing_older_ran_healthy() -> None:
    assert rollback_target(HISTORY, A.id, RAN_HEALTHY) is None
    # A stack recorded before the record existed knows only its running release.
    assert rollback_target(HISTORY, C.id, [C.id]) is None


def test_without_a_running_release_the_newest_that_ran_healthy_is_the_target() -> None:
    assert rollback_target([F, B, A], None, RAN_HEALTHY) == B


def test_the_healthy_record_puts_the_release_that_just_ran_first() -> None:
    assert record_healthy([B.id, A.id], C.id, []) == [C.id, B.id, A.id]
    assert record_healthy([C.id, B.id, A.id], B.id, []) == [B.id, C.id, A.id]


def test_the_healthy_record_forgets_pruned_releases_and_stays_bounded() -> None:
    assert record_healthy([B.id, A.id], C.id, [A.id]) == [C.id, B.id]
    long = [f"{n:012x}" for n in range(HEALTHY_KEPT + 5)]
    assert len(record_healthy(long, C.id, [])) == HEALTHY_KEPT


# --- the record as the pruning resource keeps it ----------------------------------------------


@pytest.fixture
def quiet_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine holding nothing of the repository: nothing to prune."""
    images = SimpleNamespace(list=lambda name: [], remove=lambda tag: None)
    monkeypatch.setattr(docker, "from_env", lambda: SimpleNamespace(images=images, close=dict))


def _props(release: Release) -> dict:
    return {"repository": REPO, "running": release.image_id, "keep": 5, "pruned": None}


def test_a_release_that_passed_its_gates_is_recorded_healthy(quiet_engine: None) -> None:
    provider = ReleasePruningProvider()
    first = provider.create(_props(A)).outs
    assert first["healthy"] == [A.id]
    after = provider.update(REPO, first, _props(B)).outs
    assert after["healthy"] == [B.id, A.id]


def test_state_from_before_the_record_is_written_on_the_next_up(quiet_engine: None) -> None:
    provider = ReleasePruningProvider()
    old_state = {**_props(C), "pruned": []}  # no "healthy": written by the earlier program
    assert provider.diff(REPO, old_state, _props(C)).changes
    recorded = provider.update(REPO, old_state, _props(C)).outs
    assert recorded["healthy"] == [C.id]
    assert not provider.diff(REPO, recorded, _props(C)).changes


# --- make releases ----------------------------------------------------------------------------


def test_the_listing_marks_running_pinned_and_healthy_and_names_each_sbom(tmp_path: Path) -> None:
    written = sbom_path(REPO, C.image_id, tmp_path)
    written.parent.mkdir(parents=True)
    written.write_text("{}")
    header, *rows = release_rows(
        HISTORY, running=C.id, pinned=None, healthy=RAN_HEALTHY, repository=REPO, sbom_dir=tmp_path
    )
    assert header.split() == ["RELEASE", "BUILT", "NOTE", "SBOM"]
    by_id = {row.split()[0]: row for row in rows}
    assert list(by_id) == [C.id, F.id, B.id, A.id]
    assert "running, ran healthy" in by_id[C.id] and by_id[C.id].endswith(str(written))
    assert "ran healthy" not in by_id[F.id] and by_id[F.id].endswith(NO_SBOM)
    assert "ran healthy" in by_id[B.id] and by_id[B.id].endswith(NO_SBOM)


def test_the_listing_marks_a_pin(tmp_path: Path) -> None:
    _, *rows = release_rows(
        HISTORY, running=C.id, pinned=B.id, healthy=[], repository=REPO, sbom_dir=tmp_path
    )
    assert [row.split()[0] for row in rows if "pinned" in row] == [B.id]
