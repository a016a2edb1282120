"""How the tests share code (CONTRIBUTING "The test layers"): a test file never imports
another test file; what two files need is in tests/support/, tests/e2e/support.py or a
conftest.py. An import of a test module runs that module's tests' fixtures and helpers
in a second place and ties a file's tests to another file's internals."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support import ROOT

TEST_MODULE = re.compile(r"^tests(\.[a-z0-9_]+)*\.test_[a-z0-9_]+$")
# Files other work had open while the helpers moved (issue 25); each imports from the old
# place, which still exports the names. Remove a file here when it imports tests.support.
NOT_YET_MOVED: set[str] = set()


def imported_test_modules(path: Path) -> list[str]:
    """The test modules ``path`` imports (at the top or inside a function)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and TEST_MODULE.match(node.module):
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.module in ("tests", "tests.e2e", "tests.hardening"):
            found.extend(f"{node.module}.{a.name}" for a in node.names if a.name.startswith("test_"))
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if TEST_MODULE.match(a.name))
    return found


def importing_files() -> dict[str, list[str]]:
    return {
        str(path.relative_to(ROOT)): modules
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if (modules := imported_test_modules(path))
    }


def test_no_test_file_imports_another_test_file() -> None:
    offenders = {name: modules for name, modules in importing_files().items() if name not in NOT_YET_MOVED}
    assert offenders == {}


def test_the_check_sees_each_way_of_importing_a_test_module(tmp_path: Path) -> None:
    """The check above can fail: every spelling of such an import is found."""
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from tests.test_app_shell import app_as\n"
        "import tests.test_occupancy\n"
        "from tests.e2e import test_checkin_browser\n"
        "def helper():\n"
        "    from tests.e2e.test_checkin_browser import decode_poster\n"
        "from tests.support.app import app_as\n"
        "from tests.conftest import write_csv\n",
        encoding="utf-8",
    )
    assert imported_test_modules(sample) == [
        "tests.test_app_shell", "tests.test_occupancy", "tests.e2e.test_checkin_browser",
        "tests.e2e.test_checkin_browser",
    ]
