"""Every module path and dotted name the docs and docstrings point a reader to exists.

A newcomer follows ``lib.store.places.public_base_url`` or ``lib/core/numformat.py`` from the
README or a docstring; a name left behind by a move (``lib.places``, ``lib/texts``) sends
them nowhere (this docstring's own examples are skipped with the file). Checked: ``lib.x.y[.name]`` dotted names and ``lib/…``, ``tests/…``,
``pages/…`` paths in the README, CONTRIBUTING, RULES, deploy/ and every Python file.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "docs" / "RULES.md", ROOT / "docs" / "HOW_IT_WORKS.md",
        ROOT / "benchmarks" / "README.md"]
SOURCES = [*ROOT.glob("lib/**/*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("tests/**/*.py"),
           *ROOT.glob("benchmarks/*.py"), ROOT / "dashboard.py", ROOT / "serve.py", *ROOT.glob("deploy/**/*")]
DOTTED = re.compile(r"(?<![\w/.])(lib(?:\.[A-Za-z_]\w*)+)")
PATH = re.compile(r"(?<![\w/.])((?:lib|tests|pages)/[\w./]*\w)")
# Prefixes that stand for many files ("tests/test_app_*.py"), not one path.
PREFIXES = ("tests/test_app_",)


def _module(parts: list[str]) -> tuple[Path, list[str]] | None:
    """The deepest module file of a dotted name, and the names after it."""
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.exists():
                return candidate, parts[cut:]
    return None


def _dotted_exists(name: str) -> bool:
    found = _module(name.split("."))
    if found is None:
        return False
    source, rest = found
    if not rest or rest[0].startswith("__"):
        return True
    name = re.escape(rest[0])
    defined = rf"^\s*(?:async def|def|class)\s+{name}\b|^{name}\s*[:=]|^(?:from|import)\s[^\n]*\b{name}\b"
    return re.search(defined, source.read_text(encoding="utf-8"), re.MULTILINE) is not None


def _path_exists(path: str) -> bool:
    if path.startswith(PREFIXES):
        return True
    target = ROOT / path
    return target.exists() or target.with_suffix(".py").exists()


def test_every_module_path_and_dotted_name_in_the_docs_exists() -> None:
    missing: list[str] = []
    for file in [*DOCS, *SOURCES]:
        if not file.is_file() or file == Path(__file__):
            continue
        text = file.read_text(encoding="utf-8", errors="replace")
        where = file.relative_to(ROOT)
        missing += [f"{where}: {m}" for m in DOTTED.findall(text) if not _dotted_exists(m)]
        missing += [f"{where}: {m}" for m in PATH.findall(text) if not _path_exists(m)]
    assert missing == []


RULES_CITATION = re.compile(r'RULES "([^"]+)"')


def test_every_rules_section_cited_exists() -> None:
    """Code cites its rules as ``RULES "Section"`` (docs/RULES.md); a cited section that is
    not a heading there, or a citation of a document the repository does not have, sends a
    reader nowhere."""
    rules = (ROOT / "docs" / "RULES.md").read_text(encoding="utf-8")
    headings = {line.lstrip("#").strip() for line in rules.splitlines() if line.startswith("#")}
    missing: list[str] = []
    for file in [*DOCS, *SOURCES]:
        if not file.is_file() or file.resolve() == Path(__file__).resolve() or file.suffix not in (".py", ".md", ".conf", ".sh"):
            continue
        text = file.read_text(encoding="utf-8", errors="replace")
        where = file.relative_to(ROOT)
        cited = {" ".join(m.split()) for m in RULES_CITATION.findall(text)}  # a citation may wrap a line
        missing += [f"{where}: {m}" for m in sorted(cited) if m not in headings]
        missing += [f"{where}: STYLE" for _ in re.finditer(r'STYLE "', text)]
    assert missing == []
