"""The command line run in this test's process."""

from __future__ import annotations

import io

import pytest

from lib import cli
from lib.cli.commands import run


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``pantau ARGS`` through ``lib.cli.main``: (exit code, standard output, standard error)."""
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_english(*args: str) -> tuple[int, str, str]:
    """``pantau --lang en ARGS`` with its own output streams (usable in module fixtures)."""
    out, err = io.StringIO(), io.StringIO()
    code = run(["--lang", "en", *args], out, err)
    return code, out.getvalue(), err.getvalue()
