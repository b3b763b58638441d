"""Policy pack: the ticket dashboard's container baseline, mandatory for every container.

Run with `pulumi preview --policy-pack policy/`. The checks live in container_rules.py as
plain functions (tested in tests/unit_infra/test_policy.py); this file only wires them up.
"""

from collections.abc import Callable

from container_rules import CONTAINER_TYPE, RULES, Props
from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)


def _validator(check: Callable[[Props], list[str]]):
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type != CONTAINER_TYPE:
            return
        for message in check(args.props):
            report_violation(f"{args.name}: {message}", None)

    return validate


PolicyPack(
    name="ticket-dashboard-baseline",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name=rule.name, description=rule.description, validate=_validator(rule.check)
        )
        for rule in RULES
    ],
)
