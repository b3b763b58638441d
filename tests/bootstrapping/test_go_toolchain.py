"""Which go bootstrap builds with: the one on PATH if new enough, else /usr/local/go's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bootstrap import go_toolchain
from bootstrap.go_toolchain import FoundGo, choose_go, needed_go_version
from bootstrap.progress import BootstrapError

NEEDED = (1, 25, 9)
DEBIAN_GO = FoundGo("/usr/bin/go", (1, 19, 8), on_path=True)
TARBALL_GO = FoundGo("/usr/local/go/bin/go", (1, 26, 8), on_path=False)


@pytest.fixture
def fresh_require_go():
    go_toolchain.require_go.cache_clear()
    yield go_toolchain.require_go
    go_toolchain.require_go.cache_clear()


def test_a_new_enough_go_on_path_is_used_without_a_word():
    on_path = FoundGo("/opt/go/bin/go", (1, 25, 9), on_path=True)
    assert choose_go([on_path, TARBALL_GO], NEEDED) == ("/opt/go/bin/go", None)


def test_without_go_on_path_the_tarball_install_is_used_and_said():
    chosen, note = choose_go([TARBALL_GO], NEEDED)
    assert chosen == "/usr/local/go/bin/go"
    assert note == "go is not on PATH: using /usr/local/go/bin/go (go1.26.8)"


def test_a_too_old_go_on_path_gives_way_to_the_tarball_install():
    chosen, note = choose_go([DEBIAN_GO, TARBALL_GO], NEEDED)
    assert chosen == "/usr/local/go/bin/go"
    assert (
        note == "/usr/bin/go (go1.19.8) on PATH is too old: using /usr/local/go/bin/go (go1.26.8)"
    )


def test_only_debian_bookworms_go_is_refused_with_a_fix_that_works_on_bookworm():
    with pytest.raises(BootstrapError) as raised:
        choose_go([DEBIAN_GO], NEEDED)
    assert "no Go >= 1.25.9" in raised.value.what
    assert "/usr/bin/go (go1.19.8)" in raised.value.what
    fix = raised.value.fix
    assert "apt-get install" not in fix
    assert "https://go.dev/dl/go1.25.9.linux-" in fix and "tar -C /usr/local -xz" in fix
    assert "GOTOOLCHAIN" not in fix  # go 1.19 cannot fetch a toolchain


def test_an_old_go_that_can_fetch_toolchains_is_offered_that_way_too():
    old = FoundGo("/usr/local/go/bin/go", (1, 22, 0), on_path=False)
    with pytest.raises(BootstrapError) as raised:
        choose_go([old], NEEDED)
    assert "GOTOOLCHAIN=go1.25.9 /usr/local/go/bin/go env GOROOT" in raised.value.fix


def test_no_go_at_all_names_both_places_looked():
    with pytest.raises(BootstrapError) as raised:
        choose_go([], NEEDED)
    assert "none on PATH or at /usr/local/go/bin/go" in raised.value.what
    assert "make bootstrap" in raised.value.fix


def test_a_go_that_does_not_run_is_skipped():
    broken = FoundGo("/usr/bin/go", None, on_path=True)
    chosen, note = choose_go([broken, TARBALL_GO], NEEDED)
    assert chosen == TARBALL_GO.path
    assert "/usr/bin/go (does not run) on PATH is too old" in note


def test_the_needed_version_is_the_highest_go_line_of_the_wrappers(tmp_path):
    for name, line in {"a": "go 1.25.8", "b": "go 1.25.9", "c": "go 1.24"}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "go.mod").write_text(f"module example.test/{name}\n\n{line}\n")
    assert needed_go_version(tmp_path) == (1, 25, 9)


def test_the_real_wrappers_need_at_least_go_1_25():
    assert needed_go_version(go_toolchain.WRAPPERS) >= (1, 25)


def test_require_go_finds_the_tarball_install_off_path(monkeypatch, tmp_path, fresh_require_go):
    fake = tmp_path / "usr-local-go" / "bin" / "go"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho go1.26.8\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(go_toolchain, "USUAL_GO", fake)
    assert fresh_require_go() == str(fake)


def test_require_go_without_any_go_names_the_fix(monkeypatch, fresh_require_go):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(go_toolchain, "USUAL_GO", Path("/nonexistent/go"))
    with pytest.raises(BootstrapError) as raised:
        fresh_require_go()
    assert "no Go >=" in raised.value.what
    assert "go.dev/dl" in raised.value.fix
