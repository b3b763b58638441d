"""The report of an invalid stack config: every bad key, what it expects, all at once."""

import difflib
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ticket_dashboard.settings.sections import KNOWN_KEYS, Section
from ticket_dashboard.settings.types import full_key

SECRET_KEYS = frozenset({"apiToken", "monitorWebhookUrl"})
"""Keys whose values never appear in messages or plain resource inputs."""

MUST_BE_STORED_ENCRYPTED = frozenset({"apiToken"})
"""Keys refused when set without ``--secret``."""


def unknown_key_problems(raw: Mapping[str, str]) -> Iterable[str]:
    for key in sorted(raw.keys() - KNOWN_KEYS):
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
        hint = f"did you mean {full_key(close[0])}?" if close else "see the README's table"
        yield f"{full_key(key)}: unknown key ({hint})"


def plaintext_secret_problems(
    raw: Mapping[str, str], secret_keys: Collection[str]
) -> Iterable[str]:
    for key in sorted(MUST_BE_STORED_ENCRYPTED & raw.keys()):
        if full_key(key) not in secret_keys:
            yield (
                f"{full_key(key)} is stored in plain text; remove it and run "
                f"`pulumi config set --secret {full_key(key)}`"
            )


def describe(section: type[Section], error: Mapping[str, Any]) -> str:
    """One pydantic error of ``section`` as a line naming its key."""
    loc = error["loc"]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not loc:  # a section's cross-field check: its message names the keys itself
        return message
    key = section.key_of(str(loc[0]))
    if error["type"] == "missing":
        return f"{full_key(key)}: required; set it with `pulumi config set {full_key(key)} ...`"
    if error["type"] != "value_error" and key not in SECRET_KEYS:
        message = f"{message} (got {error['input']!r})"
    return f"{full_key(key)}: {message}"


def report(problems: Iterable[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"invalid stack configuration; nothing was deployed:\n{lines}"
