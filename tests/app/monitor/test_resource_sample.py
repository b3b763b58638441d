"""CPU % from the delta of cumulative CPU seconds; memory % from the cgroup numbers."""

from __future__ import annotations

import pytest

from dashboard.monitor.resource_sample import CpuUsageEstimator, MetricsSample


def sample(
    cpu: float,
    uptime: float,
    usage: int | None = None,
    limit: int | None = None,
    cpu_limit: float | None = None,
) -> MetricsSample:
    return MetricsSample.model_validate(
        {
            "rss_bytes": 1,
            "cpu_seconds": cpu,
            "uptime_seconds": uptime,
            "cgroup": {
                "memory_usage_bytes": usage,
                "memory_limit_bytes": limit,
                "cpu_limit_cores": cpu_limit,
            },
        }
    )


def test_first_sample_has_no_cpu_percentage() -> None:
    assert CpuUsageEstimator().percent(sample(5.0, 100.0)) is None


def test_cpu_percent_is_cpu_delta_over_wall_delta() -> None:
    estimator = CpuUsageEstimator()
    estimator.percent(sample(cpu=10.0, uptime=100.0))

    assert estimator.percent(sample(cpu=13.0, uptime=110.0)) == pytest.approx(30.0)
    assert estimator.percent(sample(cpu=33.0, uptime=120.0)) == pytest.approx(200.0)


def test_cpu_percent_is_of_the_containers_cpu_limit() -> None:
    # 0.4 CPU-seconds per second under a 0.5 CPU limit is 80 % of what the
    # container may use: the prod threshold must be able to fire.
    estimator = CpuUsageEstimator()
    estimator.percent(sample(cpu=10.0, uptime=100.0, cpu_limit=0.5))

    assert estimator.percent(sample(cpu=14.0, uptime=110.0, cpu_limit=0.5)) == pytest.approx(80.0)


def test_a_restarted_target_resets_the_baseline() -> None:
    estimator = CpuUsageEstimator()
    estimator.percent(sample(cpu=50.0, uptime=500.0))

    assert estimator.percent(sample(cpu=1.0, uptime=2.0)) is None
    assert estimator.percent(sample(cpu=2.0, uptime=12.0)) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("usage", "limit", "expected"),
    [(256, 1024, 25.0), (None, 1024, None), (256, None, None), (256, 0, None)],
)
def test_memory_percent_needs_usage_and_limit(
    usage: int | None, limit: int | None, expected: float | None
) -> None:
    assert sample(1, 1, usage, limit).memory_percent == expected


def test_missing_cgroup_object_means_unknown_memory() -> None:
    bare = MetricsSample.model_validate({"cpu_seconds": 1, "uptime_seconds": 2})

    assert bare.memory_percent is None
