"""Asking the target how it is: GET /health, then GET /api/metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import requests

from dashboard.monitor.observation import Observation
from dashboard.monitor.resource_sample import CpuUsageEstimator, MetricsSample

logger = logging.getLogger(__name__)

_MAX_DETAIL_CHARS = 200


def utc_now() -> datetime:
    return datetime.now(UTC)


class TargetPoller:
    """Turns the target's HTTP answers into an ``Observation``.

    Healthy means /health answered 2xx within the timeout. Metrics are fetched only
    from a healthy target; a metrics failure leaves CPU and memory unknown for that
    tick rather than marking the target unhealthy, since /health is the contract.
    ``with_metrics=False`` asks /health alone.
    """

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = utc_now,
        with_metrics: bool = True,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout_seconds = timeout_seconds
        self._session = session or _direct_session()
        self._clock = clock
        self._with_metrics = with_metrics
        self._cpu = CpuUsageEstimator()

    def poll(self) -> Observation:
        ts = self._clock()
        problem = self._health_problem()
        if problem is not None:
            return Observation(ts, healthy=False, detail=problem)
        sample = self._metrics() if self._with_metrics else None
        if sample is None:
            return Observation(ts, healthy=True, detail="ok")
        return Observation(
            ts,
            healthy=True,
            detail="ok",
            cpu_percent=self._cpu.percent(sample),
            memory_percent=sample.memory_percent,
        )

    def _health_problem(self) -> str | None:
        try:
            response = self._session.get(f"{self._base_url}/health", timeout=self._timeout_seconds)
        except requests.RequestException as error:
            return self._describe_failure(error)
        if not 200 <= response.status_code < 300:
            return f"HTTP {response.status_code} from /health"
        return None

    def _describe_failure(self, error: requests.RequestException) -> str:
        if isinstance(error, requests.Timeout):
            return f"no answer from /health within {self._timeout_seconds} s"
        # requests wraps urllib3's error, whose reason reads best without the
        # "HTTPConnection(host=..., port=...): " prefix, e.g. "... Connection refused".
        reason = getattr(error.args[0], "reason", None) if error.args else None
        text = str(reason).split("): ", 1)[-1] if reason is not None else str(error)
        return f"{type(error).__name__}: {text}"[:_MAX_DETAIL_CHARS]

    def _metrics(self) -> MetricsSample | None:
        try:
            response = self._session.get(
                f"{self._base_url}/api/metrics", timeout=self._timeout_seconds
            )
            response.raise_for_status()
            return MetricsSample.model_validate(response.json())
        except (requests.RequestException, ValueError) as error:  # bad JSON, wrong shape
            # Debug only: logging at INFO would repeat every tick while it persists.
            logger.debug("metrics unavailable", extra={"error": str(error)})
            return None


def _direct_session() -> requests.Session:
    """The target sits on the deployment's internal network: an HTTP(S)_PROXY meant for
    the outside world (the webhook may need it) must not capture the health checks."""
    session = requests.Session()
    session.trust_env = False
    return session
