"""The proxy in front of the replicas: its rendered HAProxy config and its container.

The config is read from what the program hands the container (its HAPROXY_CONFIG entry),
and checked against the replicas the same run declares and the app they run.
"""

import re
import string
from typing import Any

from flask import Flask

from dashboard.settings import Settings
from dashboard.web.admission import STREAM_PATHS, limits_for_threads
from dashboard.web.ops import blueprint as ops_blueprint
from ticket_dashboard.components.proxy import ENV_CONFIG, TEMPLATE
from ticket_dashboard.naming import DASHBOARD, PROXY
from ticket_dashboard.ports import PUBLISHED_CONTAINER_PORT
from ticket_dashboard.project import PROXY_IMAGE
from ticket_dashboard.workload import SCRATCH_PATH

from .harness import GET_IMAGE_TOKEN, PROXY_IMAGE_ID, ProgramRun, unwrap_secrets

SERVER_TEMPLATE = re.compile(r"server-template \S+ 1-(\d+) (\S+):(\d+)\b")
DURATION = re.compile(r"(\d+)(ms|s|m)")


def _proxy(run: ProgramRun) -> dict[str, Any]:
    return unwrap_secrets(run.container(PROXY).inputs)


def _config(run: ProgramRun) -> str:
    (entry,) = [e for e in _proxy(run)["envs"] if e.startswith(f"{ENV_CONFIG}=")]
    return entry.split("=", 1)[1]


def _directives(run: ProgramRun) -> list[str]:
    """The config's lines without comments and indentation."""
    lines = (line.split("#", 1)[0].strip() for line in _config(run).splitlines())
    return [line for line in lines if line]


def _sections(run: ProgramRun) -> dict[str, list[str]]:
    """``"backend replicas"`` -> its directives."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in _directives(run):
        if line.split()[0] in {"global", "defaults", "frontend", "backend", "resolvers"}:
            current = sections.setdefault(line, [])
        else:
            current.append(line)
    return sections


def _backends(run: ProgramRun) -> dict[str, list[str]]:
    return {name: lines for name, lines in _sections(run).items() if name.startswith("backend ")}


def _server_templates(run: ProgramRun) -> list[tuple[int, str, int]]:
    found = [SERVER_TEMPLATE.search(line) for line in _directives(run)]
    templates = [(int(m.group(1)), m.group(2), int(m.group(3))) for m in found if m]
    assert templates, "the proxy config declares no server-template"
    return templates


def _replicas(run: ProgramRun) -> list[dict[str, Any]]:
    return [unwrap_secrets(item.inputs) for item in run.replicas(DASHBOARD)]


def _env_of(inputs: dict[str, Any]) -> dict[str, str]:
    return dict(entry.split("=", 1) for entry in inputs["envs"])


def _seconds(duration: str) -> float:
    number, unit = DURATION.fullmatch(duration).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60}[unit]


def _app_routes() -> set[str]:
    probe_app = Flask("routes")
    probe_app.register_blueprint(ops_blueprint)
    return {rule.rule for rule in probe_app.url_map.iter_rules()}


# --- the rendered config ----------------------------------------------------------------


def test_proxy_config_has_every_placeholder_filled(deployed: ProgramRun) -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    assert string.Template(template).get_identifiers(), "the template has no placeholder"
    # Only an escaped "$$" of the template may leave a dollar sign behind.
    assert _config(deployed).count("$") == template.count("$$")


def test_proxy_has_room_for_two_releases_of_replicas(deployed: ProgramRun) -> None:
    # A release starts the new replicas before it stops the old ones: both must fit.
    for slots, _host, _port in _server_templates(deployed):
        assert slots >= 2 * deployed.config.dashboard.replicas


def test_proxy_finds_the_replicas_by_their_shared_alias(deployed: ProgramRun) -> None:
    for _slots, host, _port in _server_templates(deployed):
        assert host == DASHBOARD
        for replica in _replicas(deployed):
            assert host in replica["networksAdvanced"][0]["aliases"]


def test_proxy_sends_requests_to_the_port_the_replicas_listen_on(deployed: ProgramRun) -> None:
    for _slots, _host, port in _server_templates(deployed):
        for replica in _replicas(deployed):
            assert str(port) == _env_of(replica)["DASHBOARD_PORT"]


def test_proxy_checks_each_backend_on_the_apps_ready_route(deployed: ProgramRun) -> None:
    backends = _backends(deployed)
    assert backends
    for name, lines in backends.items():
        checks = [line.split() for line in lines if line.startswith("option httpchk")]
        assert [check[2:] for check in checks] == [["GET", "/ready"]], name
    assert "/ready" in _app_routes()


def test_proxy_listens_on_the_published_container_port(deployed: ProgramRun) -> None:
    (bind,) = [line for line in _directives(deployed) if line.startswith("bind ")]
    assert bind == f"bind :{PUBLISHED_CONTAINER_PORT}"
    (port,) = _proxy(deployed)["ports"]
    assert port["internal"] == PUBLISHED_CONTAINER_PORT


def test_proxy_health_check_asks_haproxys_own_monitor_uri(deployed: ProgramRun) -> None:
    (monitor_uri,) = [line.split()[1] for line in _directives(deployed) if "monitor-uri" in line]
    script = _proxy(deployed)["healthcheck"]["tests"][-1]
    assert f"GET {monitor_uri} " in script
    assert f"/dev/tcp/127.0.0.1/{PUBLISHED_CONTAINER_PORT}" in script


def test_proxy_sends_live_update_streams_to_their_own_backend(deployed: ProgramRun) -> None:
    rules = [line.split() for line in _directives(deployed) if line.startswith("use_backend ")]
    assert rules, "no use_backend rule"
    for rule in rules:
        assert f"backend {rule[1]}" in _backends(deployed)
        assert set(rule[rule.index("path") + 1 : -1]) <= STREAM_PATHS


def test_proxy_admits_per_replica_the_requests_the_app_admits(deployed: ProgramRun) -> None:
    (default_server,) = [
        line
        for line in _backends(deployed)["backend replicas"]
        if line.startswith("default-server")
    ]
    maxconn = int(default_server.split("maxconn", 1)[1].split()[0])
    threads_env = f"{Settings.model_config['env_prefix']}THREADS"
    for replica in _replicas(deployed):
        threads = _env_of(replica).get(threads_env, Settings.model_fields["threads"].default)
        assert maxconn == limits_for_threads(int(threads))["requests"]


def test_proxy_stop_timeout_outlasts_its_hard_stop(deployed: ProgramRun) -> None:
    (hard_stop,) = [line.split()[1] for line in _directives(deployed) if "hard-stop-after" in line]
    inputs = _proxy(deployed)
    assert inputs["stopTimeout"] > _seconds(hard_stop)
    assert inputs["destroyGraceSeconds"] >= inputs["stopTimeout"]


# --- the container ----------------------------------------------------------------------


def test_proxy_runs_the_proxy_image_found_in_the_engine(deployed: ProgramRun) -> None:
    assert (GET_IMAGE_TOKEN, {"name": PROXY_IMAGE}) in deployed.mocks.calls
    assert _proxy(deployed)["image"] == PROXY_IMAGE_ID


def test_proxy_gets_only_its_config(deployed: ProgramRun) -> None:
    # No app settings, no token, no volume: the proxy knows nothing of the tickets.
    inputs = _proxy(deployed)
    assert [entry.split("=", 1)[0] for entry in inputs["envs"]] == [ENV_CONFIG]
    assert not inputs.get("mounts")
    assert not inputs.get("volumes")


def test_proxy_writes_its_config_to_the_scratch_tmpfs_and_execs_haproxy(
    deployed: ProgramRun,
) -> None:
    shell, flag, script = _proxy(deployed)["command"]
    assert (shell, flag) == ("/bin/sh", "-c")
    written = re.search(rf'"\${ENV_CONFIG}" > (\S+) && exec haproxy .*-f (\S+)$', script)
    assert written, script
    assert written.group(1) == written.group(2)
    assert written.group(1).startswith(f"{SCRATCH_PATH}/")
