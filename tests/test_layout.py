"""The layout of lib/ a newcomer relies on (CONTRIBUTING.md "Layout"), checked from the code.

``lint-imports`` (in ``./pantau.sh test``) enforces the layers; these tests add what a
layers contract does not say: no import cycle at all, no private name used across
modules, one module reading the environment, the README's settings table in step with
it, and nothing in the repository pointing outside it.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import grimp

from lib.core import config

ROOT = Path(__file__).resolve().parents[1]
PYTHON_FILES = sorted(
    [*ROOT.joinpath("lib").rglob("*.py"), *ROOT.joinpath("pages").glob("*.py"), ROOT / "dashboard.py"]
)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first search meets (empty: the graph is acyclic)."""
    state: dict[str, int] = {}
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_inside_lib() -> None:
    graph = grimp.build_graph("lib")
    modules = {m for m in graph.modules if m.startswith("lib")}
    edges = {m: {t for t in graph.find_modules_directly_imported_by(m) if t in modules} for m in modules}
    assert _cycles(edges) == []


def test_no_private_name_is_imported_across_modules() -> None:
    offenders = []
    for path in PYTHON_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lib"):
                offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert offenders == []


def test_only_the_config_module_reads_the_environment() -> None:
    readers = []
    for path in PYTHON_FILES:
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ|os\.getenv|getenv\(", text) and path != ROOT / "lib" / "core" / "config.py":
            readers.append(str(path.relative_to(ROOT)))
    assert readers == []


def test_readme_settings_table_lists_every_variable_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings table: lib/core/config.py VARIABLES -->")[1].split("<!-- end of settings table -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert rows == [f"| `{v.name}` | {v.default} | {v.help} |" for v in config.VARIABLES]


def test_every_pantau_variable_in_the_code_is_declared() -> None:
    """A ``PANTAU_X`` named anywhere in lib/, pages/ or the README is one of VARIABLES."""
    declared = {v.name for v in config.VARIABLES}
    texts = [p.read_text(encoding="utf-8") for p in PYTHON_FILES] + [(ROOT / "README.md").read_text(encoding="utf-8")]
    named = {m for text in texts for m in re.findall(r"\bPANTAU_[A-Z_]*[A-Z]\b", text)}
    # PANTAU_SCREENSHOTS and PANTAU_HYPOTHESIS are the test suite's own switches (README "Tests").
    assert named - declared - {"PANTAU_SCREENSHOTS", "PANTAU_HYPOTHESIS"} == set()


def test_nothing_in_the_repository_points_outside_it() -> None:
    outside = "../" + "shared"
    tracked = subprocess.run(
        ["git", "grep", "-n", "-I", "-F", outside], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert tracked.stdout == ""


def test_readme_stored_settings_table_is_the_registry() -> None:
    """The settings kept in the database have one registry (lib.store.app_settings), which
    the README shows row for row."""
    from lib.store.app_settings import STORED_SETTINGS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- stored settings table: lib/store/app_settings.py STORED_SETTINGS -->")[1]
    rows = [line for line in table.split("<!-- end of stored settings table -->")[0].splitlines() if line.startswith("| `")]
    assert rows == [f"| `{s.key}` | {s.kind} | {s.default} | {s.help} |" for s in STORED_SETTINGS if s.editable]


def test_an_undeclared_stored_setting_is_refused(tmp_path: Path) -> None:
    """A key read or written in app_settings that the registry does not know is a bug, said
    at once (a typo of a key would otherwise read as "unset" forever)."""
    import pytest

    from lib.store import db

    con = db.connect(tmp_path / "s.duckdb")
    try:
        with pytest.raises(KeyError, match="STORED_SETTINGS"):
            db.set_setting(con, "retention_dayz", "10")
        with pytest.raises(KeyError, match="STORED_SETTINGS"):
            db.get_setting(con, "case_message:")  # a family's prefix alone names nothing
        db.set_setting(con, "case_message:K1", "Halo {name}")
        assert db.get_setting(con, "case_message:K1") == "Halo {name}"
    finally:
        con.close()


def test_the_command_line_edits_exactly_the_registry_s_editable_settings(tmp_path: Path) -> None:
    from lib.cli import commands
    from lib.store import app_settings, db

    con = db.connect(tmp_path / "s.duckdb")
    try:
        con.execute("INSERT INTO buildings (building_id, name) VALUES ('b1', 'B1')")
        keys = list(commands._settings(con))
    finally:
        con.close()
    assert all(app_settings.registered(k).editable for k in keys)
    families = {app_settings.registered(k).key for k in keys}
    # wfo_limit is edited on the Settings page only (a share per unit); the desk's on Settings.
    editable = {s.key for s in app_settings.STORED_SETTINGS if s.editable}
    assert editable - families <= {"wfo_limit:", "desk_purposes", "desk_purpose_required", "desk_host_webhook_url"}


def test_a_hand_over_without_its_columns_fails_where_it_is_made(tmp_path: Path) -> None:
    """The write path's steps hand each other typed relations (lib.store.relations): a
    relation lacking a column its receiver reads is refused by name, before any SQL of the
    receiver runs."""
    import pytest

    from lib.ingest import areas
    from lib.store import db
    from lib.store.relations import AreasNamed, PersonsToRepair, RelationError, StayRestarts

    con = db.connect(tmp_path / "r.duckdb")
    try:
        with pytest.raises(RelationError, match="category"):
            PersonsToRepair.create(con, "SELECT 'p' AS person_id, NULL::TIMESTAMPTZ AS from_ts")
        with pytest.raises(RelationError, match="person_id"):
            areas.rederive(con, StayRestarts("SELECT 'p' AS who"))
        with pytest.raises(RelationError, match="area"):
            db.ensure_areas(con, AreasNamed("SELECT 'b' AS building, 'r' AS room"))
        assert db.ensure_areas(con, AreasNamed("SELECT 'b' AS building, 'Ruang A' AS area")) == 1
    finally:
        con.close()
