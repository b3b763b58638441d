"""A stack deployed before infra/ was laid out by role can still delete and read its
dynamic resources: the providers its state holds name the former module paths."""

import subprocess
import sys

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from ticket_dashboard.dynamic.health_gate import HealthGateProvider
from ticket_dashboard.dynamic.name_token import NameTokenProvider
from ticket_dashboard.dynamic.pids_limit import PidsLimitProvider
from ticket_dashboard.dynamic.release_pruning import ReleasePruningProvider
from ticket_dashboard.dynamic.sbom import ImageSbomProvider
from ticket_dashboard.project import PROJECT_ROOT

# `__provider` as the program wrote it into state before the move (pulumi's own
# serialize_provider, run on the former modules).
FORMER_STATE = {
    HealthGateProvider: (
        "gASVOgAAAAAAAACMHHRpY2tldF9kYXNoYm9hcmQuaGVhbH"
        "RoX2dhdGWUjBJIZWFsdGhHYXRlUHJvdmlkZXKUk5QpgZQu"
    ),
    PidsLimitProvider: (
        "gASVOAAAAAAAAACMG3RpY2tldF9kYXNoYm9hcmQucGlkc1"
        "9saW1pdJSMEVBpZHNMaW1pdFByb3ZpZGVylJOUKYGULg=="
    ),
    NameTokenProvider: (
        "gASVOAAAAAAAAACMG3RpY2tldF9kYXNoYm9hcmQubmFtZV"
        "90b2tlbpSMEU5hbWVUb2tlblByb3ZpZGVylJOUKYGULg=="
    ),
    ReleasePruningProvider: (
        "gASVQgAAAAAAAACMIHRpY2tldF9kYXNoYm9hcmQucmVsZWFzZV9w"
        "cnVuaW5nlIwWUmVsZWFzZVBydW5pbmdQcm92aWRlcpSTlCmBlC4="
    ),
    ImageSbomProvider: (
        "gASVMgAAAAAAAACMFXRpY2tldF9kYXNoYm9hcmQuc2JvbZSMEUltYWdlU2JvbVByb3ZpZGVylJOUKYGULg=="
    ),
}


def _loaded_in_a_fresh_process(serialized: str) -> str:
    """What the dynamic provider process makes of ``serialized``: it starts in infra/ and
    has imported nothing of the program."""
    code = (
        "import base64, dill, sys; "
        f"provider = dill.loads(base64.b64decode({serialized!r})); "
        "print(type(provider).__module__ + '.' + type(provider).__qualname__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT / "infra",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("provider", list(FORMER_STATE), ids=lambda cls: cls.__name__)
def test_a_provider_in_former_state_loads_as_todays(provider: type) -> None:
    loaded = _loaded_in_a_fresh_process(FORMER_STATE[provider])
    assert loaded == f"{provider.__module__}.{provider.__qualname__}"


@pytest.mark.parametrize("provider", list(FORMER_STATE), ids=lambda cls: cls.__name__)
def test_a_provider_is_stored_by_its_module_path(provider: type) -> None:
    # By reference, not by value: what makes the former paths matter at all.
    serialized = serialize_provider(provider())
    assert (
        _loaded_in_a_fresh_process(serialized) == f"{provider.__module__}.{provider.__qualname__}"
    )
    assert len(serialized) < 200
