"""A deployed stack is what the program says: nothing to change on preview or re-up."""

from __future__ import annotations

import pytest

from tests.deployment import summary_counts

pytestmark = pytest.mark.docker


def test_preview_after_up_expects_no_changes(deployed):
    # expect_no_changes makes the CLI fail on any planned change.
    result = deployed.preview(expect_no_changes=True)
    assert set(result.change_summary) == {"same"}


def test_second_up_reports_zero_changes(deployed):
    counts = summary_counts(deployed.up())
    assert set(counts) == {"same"}, counts
