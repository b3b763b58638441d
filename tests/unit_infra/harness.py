"""Helpers to run the real Pulumi program (infra/__main__.py) under Pulumi's mocks.

No engine, CLI or Docker is involved: the mocks record every resource's type, name and
inputs, the port probe is a fake, and config comes from the real Pulumi.<stack>.yaml files
the way the CLI would hand it to the program (strings, secrets flagged).
"""

import hashlib
import itertools
import json
import re
import runpy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
import pytest
import yaml
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

import ticket_dashboard.ports as ports_module
import ticket_dashboard.releases as releases_module
from ticket_dashboard.dynamic.name_token import TOKEN_BYTES
from ticket_dashboard.naming import StackNaming
from ticket_dashboard.project import PROJECT_NAME, PROJECT_ROOT
from ticket_dashboard.settings.loader import parse_stack_config
from ticket_dashboard.settings.sections import StackConfig

PROGRAM = PROJECT_ROOT / "infra" / "__main__.py"
CONTAINER_TYPE = "docker:index/container:Container"
NETWORK_TYPE = "docker:index/network:Network"
VOLUME_TYPE = "docker:index/volume:Volume"
IMAGE_TYPE = "docker:index/image:Image"
DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"
TEST_TOKEN = "unit-test-token-0123456789abcdef"  # noqa: S105 - the value the scans look for
TOKEN_KEY = "ticket-dashboard:apiToken"
RELEASE_KEY = "ticket-dashboard:release"
GET_IMAGE_TOKEN = "docker:index/getRemoteImage:getRemoteImage"
PROXY_IMAGE_ID = "sha256:" + "f" * 64


@dataclass
class Registration:
    type: str
    name: str
    inputs: dict[str, Any]
    state: dict[str, Any]
    options: "RegisteredOptions | None" = None


@dataclass(frozen=True)
class RegisteredOptions:
    """The resource options the engine would receive; Mocks alone never see them."""

    parent: str
    delete_before_replace: bool
    delete_before_replace_defined: bool
    """Whether the program said so; unset, the provider's own default applies."""
    dependencies: tuple[str, ...]
    replace_on_changes: tuple[str, ...]


_ISSUED_TOKENS = itertools.count(1)
"""A new token is never one issued before, as with the provider's random ones (but
without their 1-in-65,536 chance of a repeat that would make a test flaky)."""


@dataclass
class EngineState:
    """What the engine keeps between two runs of a stack, as far as the mocks need it.

    A NameToken (name_token.py) draws a random token when created and keeps it while its
    ``keepers`` stay the same: its own state decides, so a run needs the previous one's.
    Pass ``ProgramRun.state`` to the next ``run_program`` to model ``up`` after ``up``.
    """

    tokens: dict[str, tuple[Any, str]] = field(default_factory=dict)

    def name_token(self, name: str, keepers: Any) -> str:
        kept = self.tokens.get(name)
        if kept is None or kept[0] != keepers:
            kept = (keepers, f"{next(_ISSUED_TOKENS):0{2 * TOKEN_BYTES}x}")
            self.tokens[name] = kept
        return kept[1]


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every registration and answers with its inputs plus plausible outputs."""

    def __init__(self, state: EngineState) -> None:
        self.registrations: list[Registration] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.state = state

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        state = dict(args.inputs)
        if args.typ == IMAGE_TYPE:
            image_name = args.inputs["imageName"]
            state["repoDigest"] = "sha256:" + hashlib.sha256(image_name.encode()).hexdigest()
        if args.typ == DYNAMIC_TYPE and "keepers" in args.inputs:  # a NameToken
            state["token"] = self.state.name_token(args.name, args.inputs["keepers"])
        self.registrations.append(Registration(args.typ, args.name, dict(args.inputs), state))
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        self.calls.append((args.token, dict(args.args)))
        if args.token == GET_IMAGE_TOKEN:  # the proxy's image, found in the engine
            name = args.args["name"]
            return {"id": PROXY_IMAGE_ID, "name": name, "repoDigest": ""}, []
        return {}, []

    def of_type(self, type_: str) -> list[Registration]:
        return [item for item in self.registrations if item.type == type_]


class RecordingMonitor(MockMonitor):
    """Adds each request's resource options to the registration the mocks recorded."""

    mocks: RecordingMocks

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method name
        response = super().RegisterResource(request)
        options = RegisteredOptions(
            parent=request.parent,
            delete_before_replace=request.deleteBeforeReplace,
            delete_before_replace_defined=request.deleteBeforeReplaceDefined,
            dependencies=tuple(request.dependencies),
            replace_on_changes=tuple(request.replaceOnChanges),
        )
        for registration in reversed(self.mocks.registrations):
            if (registration.type, registration.name) == (request.type, request.name):
                registration.options = options
                break
        return response


@dataclass
class FakeProbe:
    """A Docker host where ``busy`` ports are taken and the stack holds ``held``."""

    held: int | None = None
    busy: Mapping[int, str] = field(default_factory=dict)
    asked_bind_address: list[str] = field(default_factory=list)

    def __call__(self, bind_address: str) -> "FakeProbe":  # stands in for DockerHostProbe(...)
        self.asked_bind_address.append(bind_address)
        return self

    def port_held_by_stack(self, naming: StackNaming) -> int | None:
        return self.held

    def busy_ports(self, ports: Any) -> dict[int, str]:
        wanted = set(ports)
        return {port: holder for port, holder in self.busy.items() if port in wanted}


@dataclass(frozen=True)
class FakeImage:
    """What ``docker.from_env().images.list`` yields, as far as releases.py reads it."""

    id: str
    created: str
    tags: list[str]

    @property
    def attrs(self) -> dict[str, Any]:
        return {"Created": self.created}


@dataclass
class FakeImages:
    images: list[FakeImage]

    def list(self, name: str) -> list[FakeImage]:
        return [image for image in self.images if any(t.startswith(f"{name}:") for t in image.tags)]


@dataclass
class FakeEngine:
    """A Docker engine holding ``images``; stands in for ``releases.engine_client()``."""

    images: FakeImages
    closed: bool = False

    def __call__(self) -> "FakeEngine":
        return self

    def close(self) -> None:
        self.closed = True


def engine_with(*images: FakeImage) -> FakeEngine:
    return FakeEngine(FakeImages(list(images)))


@dataclass
class ProgramRun:
    stack: str
    config: StackConfig | None
    mocks: RecordingMocks
    exports: dict[str, Any]
    error: Exception | None

    @property
    def state(self) -> EngineState:
        """The engine's state after this run, for the next one."""
        return self.mocks.state

    def containers(self) -> list[Registration]:
        return self.mocks.of_type(CONTAINER_TYPE)

    def replicas(self, role: str) -> list[Registration]:
        """Every container of ``role`` in replica order: ``<role>-container`` alone for a
        role with one fixed-name container, ``<role>-1-container``, ``<role>-2-...`` else."""
        pattern = re.compile(rf"{re.escape(role)}(?:-(\d+))?-container")
        found = [
            (int(match.group(1) or 0), item)
            for item in self.containers()
            if (match := pattern.fullmatch(item.name))
        ]
        return [item for _, item in sorted(found, key=lambda pair: pair[0])]

    def container(self, role: str) -> Registration:
        """The role's container; for the replicated dashboard, replica 1."""
        found = self.replicas(role)
        assert found, f"no {role} container among {[c.name for c in self.containers()]}"
        return found[0]

    def companion(self, container: Registration, kind: str) -> Registration:
        """What a component declares beside ``container``: ``<name>-<kind>``, such as the
        ``dashboard-1-pids-limit`` of ``dashboard-1-container``."""
        wanted = f"{container.name.removesuffix('-container')}-{kind}"
        (found,) = [item for item in self.mocks.registrations if item.name == wanted]
        return found

    def pids_limit_of(self, container: Registration) -> Registration:
        return self.companion(container, "pids-limit")

    def only(self, type_: str) -> Registration:
        (found,) = self.mocks.of_type(type_)
        return found


def stack_file_config(stack: str) -> dict[str, Any]:
    """The ``config:`` block of the real Pulumi.<stack>.yaml."""
    document = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack}.yaml").read_text())
    return dict(document["config"])


def as_cli_values(config: Mapping[str, Any]) -> dict[str, str]:
    """What the Pulumi CLI passes the program: every value a string."""
    return {
        key: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for key, value in config.items()
    }


def unwrap_secrets(value: Any) -> Any:
    """Inputs as the engine would store them unencrypted (secrets opened)."""
    if rpc.is_rpc_secret(value):
        return unwrap_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, Mapping):
        return {key: unwrap_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(item) for item in value]
    return value


def plain_strings(value: Any) -> Iterator[str]:
    """Every string reachable without opening a secret."""
    if rpc.is_rpc_secret(value):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from plain_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from plain_strings(item)


def run_program(
    monkeypatch: pytest.MonkeyPatch,
    stack: str,
    config: Mapping[str, Any],
    *,
    secret_keys: tuple[str, ...] = (),
    probe: FakeProbe | None = None,
    engine: FakeEngine | None = None,
    state: EngineState | None = None,
    preview: bool = False,
) -> ProgramRun:
    """Execute infra/__main__.py as `pulumi up` (or preview) would, under mocks: on a new
    stack, or after the run that left ``state``."""
    state = EngineState() if state is None else state
    # A preview changes nothing in the engine's state.
    mocks = RecordingMocks(EngineState(dict(state.tokens)) if preview else state)
    pulumi.runtime.set_mocks(
        mocks,
        project=PROJECT_NAME,
        stack=stack,
        preview=preview,
        monitor=RecordingMonitor(mocks),
    )
    # As the language host hands config to a program: one JSON bag, secret keys beside it.
    pulumi.runtime.set_all_config({}, [])
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(as_cli_values(config)))
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps(list(secret_keys)))
    monkeypatch.setattr(ports_module, "DockerHostProbe", probe or FakeProbe())
    # A pinned release is looked up in the engine; never the real one here.
    _use_engine(monkeypatch, engine or engine_with())
    exports: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", lambda name, value: exports.__setitem__(name, value))
    resolved: dict[str, Any] = {}
    error = _execute(exports, resolved)
    return ProgramRun(stack, _model_or_none(config, secret_keys), mocks, resolved, error)


def _use_engine(monkeypatch: pytest.MonkeyPatch, engine: FakeEngine) -> None:
    monkeypatch.setattr(releases_module, "engine_client", engine)


def _execute(exports: dict[str, Any], resolved: dict[str, Any]) -> Exception | None:
    @pulumi.runtime.test
    def program() -> Any:
        runpy.run_path(str(PROGRAM), run_name="__main__")
        return pulumi.Output.all(**exports).apply(resolved.update)

    try:
        program()
    except Exception as error:  # noqa: BLE001 - the tests assert on it
        return error
    return None


def _model_or_none(config: Mapping[str, Any], secret_keys: tuple[str, ...]) -> StackConfig | None:
    try:
        return parse_stack_config(config, secret_keys=secret_keys)
    except pulumi.RunError:
        return None


def deployable_config(stack: str, tickets_dir: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The real stack file as `make up` deploys it (without a rollback's pin, which
    `make rollback` writes there) plus what an operator sets by hand: host path, token."""
    config = stack_file_config(stack)
    config.pop(RELEASE_KEY, None)
    config["ticket-dashboard:ticketsDir"] = str(tickets_dir)
    secret_keys: tuple[str, ...] = ()
    if stack == "prod":
        config[TOKEN_KEY] = TEST_TOKEN
        secret_keys = (TOKEN_KEY,)
    return config, secret_keys
