"""Container memory and CPU limit from cgroup v1 or v2 files, and nulls outside a container."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.resource_usage import (
    CgroupMemory,
    ProcessMetrics,
    read_cgroup_cpu_limit,
    read_cgroup_memory,
)


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
        "cpu_limit_cores": None,
    }
    assert snapshot["rss_bytes"] > 0


@pytest.mark.parametrize(
    ("cpu_max", "cores"),
    [("50000 100000\n", 0.5), ("200000 100000\n", 2.0), ("max 100000\n", None), ("", None)],
)
def test_cgroup_v2_cpu_limit(tmp_path: Path, cpu_max: str, cores: float | None):
    (tmp_path / "cpu.max").write_text(cpu_max)

    assert read_cgroup_cpu_limit(tmp_path) == cores


@pytest.mark.parametrize(
    ("quota", "period", "cores"),
    [("50000", "100000", 0.5), ("-1", "100000", None), ("50000", "0", None)],
)
def test_cgroup_v1_cpu_limit(tmp_path: Path, quota: str, period: str, cores: float | None):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(quota + "\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(period + "\n")

    assert read_cgroup_cpu_limit(tmp_path) == cores


def test_no_cpu_controller_means_no_limit(tmp_path: Path):
    assert read_cgroup_cpu_limit(tmp_path) is None


def test_snapshot_reports_the_cpu_limit(tmp_path: Path):
    (tmp_path / "cpu.max").write_text("50000 100000\n")

    assert ProcessMetrics(cgroup_root=tmp_path).snapshot()["cgroup"]["cpu_limit_cores"] == 0.5
