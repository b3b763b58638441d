"""Release bookkeeping: ids, order, the previous release, pruning and pins."""

from types import SimpleNamespace

import pytest

from ticket_dashboard.releases import (
    Release,
    ReleaseNotFound,
    find_release,
    pinned_image,
    previous_release,
    release_id,
    releases_to_prune,
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
