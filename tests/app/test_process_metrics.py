"""Container memory from cgroup v1 or v2 files, and nulls outside a container."""

from __future__ import annotations

from pathlib import Path

from dashboard.metrics import CgroupMemory, ProcessMetrics, read_cgroup_memory


def test_cgroup_v2_usage_and_limit(tmp_path: Path):
    (tmp_path / "memory.current").write_text("123456\n")
    (tmp_path / "memory.max").write_text("536870912\n")

    assert read_cgroup_memory(tmp_path) == CgroupMemory(2, 123456, 536870912)


def test_cgroup_v2_without_limit_is_null_limit(tmp_path: Path):
    (tmp_path / "memory.current").write_text("123456\n")
    (tmp_path / "memory.max").write_text("max\n")

    assert read_cgroup_memory(tmp_path) == CgroupMemory(2, 123456, None)


def test_cgroup_v1_usage_and_limit(tmp_path: Path):
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.usage_in_bytes").write_text("4096\n")
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("268435456\n")

    assert read_cgroup_memory(tmp_path) == CgroupMemory(1, 4096, 268435456)


def test_cgroup_v1_unlimited_is_null_limit(tmp_path: Path):
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.usage_in_bytes").write_text("4096\n")
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")

    assert read_cgroup_memory(tmp_path).limit_bytes is None


def test_no_cgroup_files_gives_nulls(tmp_path: Path):
    assert read_cgroup_memory(tmp_path) == CgroupMemory(None, None, None)


def test_snapshot_reads_the_given_cgroup_root(tmp_path: Path):
    (tmp_path / "memory.current").write_text("77\n")
    (tmp_path / "memory.max").write_text("max\n")

    snapshot = ProcessMetrics(cgroup_root=tmp_path).snapshot()

    assert snapshot["cgroup"] == {
        "version": 2,
        "memory_usage_bytes": 77,
        "memory_limit_bytes": None,
    }
    assert snapshot["rss_bytes"] > 0
