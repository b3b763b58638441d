"""The README's settings table is the config model's, generated, never hand-edited."""

import pytest

from ticket_dashboard.project import DEFAULT_BASE_IMAGE, PROJECT_ROOT
from ticket_dashboard.settings.sections import KNOWN_KEYS
from ticket_dashboard.settings.table import BEGIN, END, current_table, render_table, with_table


def _rows(table: str) -> dict[str, list[str]]:
    cells = [line.strip("| ").split(" | ") for line in table.splitlines()[2:]]
    return {row[0]: row for row in cells}


def test_readme_table_matches_the_model_and_stack_files() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.partition(BEGIN)[2].partition(END)[0].strip()
    assert shown == current_table(), "README is stale: run `make settings-table`"


def test_every_key_has_a_row_with_a_type() -> None:
    rows = _rows(render_table({"dev": {}}))
    assert rows.keys() == KNOWN_KEYS
    assert all(row[1] for row in rows.values())


def test_defaults_come_from_the_model() -> None:
    rows = _rows(render_table({}))
    assert rows["baseImage"][2] == f"`{DEFAULT_BASE_IMAGE}`"
    assert rows["memoryLimit"][2] == "`512Mi`"
    assert rows["subnet"][2] == "**required**"
    assert rows["gateway"][2] == "unset"


def test_stack_columns_show_the_file_value_or_a_dash() -> None:
    rows = _rows(render_table({"dev": {"ticket-dashboard:logLevel": "DEBUG"}}))
    assert rows["logLevel"][3] == "`DEBUG`"
    assert rows["logMaxSize"][3] == "–"


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        with_table("# no table here\n", "| x |")
