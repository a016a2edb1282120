"""A bad ``PANTAU_*`` value is refused where Pantau starts, named, in the user's language;
and the background threads' lines reach the log with their module (lib/core/logs.py)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.core import config, logs

ROOT = Path(__file__).resolve().parent.parent

BAD = [
    ("PANTAU_CHECKIN_RATE_LIMIT", "6o"),
    ("PANTAU_MAX_UPLOAD_MB", "0"),
    ("PANTAU_LANG", "fr"),
    ("PANTAU_MEMORY_LIMIT", "lots"),
    ("PANTAU_TRUSTED_PROXIES", "127.0.0.1,nginx"),
    ("PANTAU_DEMO", "yes"),
    ("PANTAU_LOGIN_SLEEP", "-1"),
]


@pytest.mark.parametrize(("name", "value"), BAD)
def test_every_bad_value_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(config.SettingError) as refused:
        config.check_settings()
    assert refused.value.name == name and value in str(refused.value)


def test_good_values_pass_and_mean_what_they_say(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("PANTAU_CHECKIN_RATE_LIMIT", "60"), ("PANTAU_MAX_UPLOAD_MB", "0.5"),
                        ("PANTAU_MEMORY_LIMIT", "2GB"), ("PANTAU_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")]:
        monkeypatch.setenv(name, value)
    config.check_settings()
    assert config.checkin_rate_limit() == 60 and config.max_upload_bytes() == 512 * 1024
    assert [str(n) for n in config.trusted_proxies()] == ["127.0.0.1/32", "10.0.0.0/8"]


def _cli(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(tmp_path / "p.duckdb"), "visits"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env}, timeout=120,
    )


def test_the_command_line_refuses_a_typo_in_the_users_language_before_opening_anything(tmp_path: Path) -> None:
    # Before: a rate limit typed "6o" silently became 600 and the command ran.
    done = _cli({"PANTAU_CHECKIN_RATE_LIMIT": "6o"}, tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "error: PANTAU_CHECKIN_RATE_LIMIT=6o tidak dapat dipakai: bilangan bulat, 0 atau lebih"
    english = _cli({"PANTAU_CHECKIN_RATE_LIMIT": "6o", "PANTAU_LANG": "en"}, tmp_path)
    assert english.stderr.strip() == "error: PANTAU_CHECKIN_RATE_LIMIT=6o cannot be used: a whole number, 0 or more"
    assert not (tmp_path / "p.duckdb").exists()


def test_the_server_does_not_start_on_a_bad_value_and_says_which(tmp_path: Path) -> None:
    env = {**os.environ, "PANTAU_DB": str(tmp_path / "p.duckdb"), "PANTAU_DATA_DIR": str(tmp_path),
           "PANTAU_SECRETS_FILE": str(tmp_path / "s.json"), "PANTAU_TRUSTED_PROXIES": "nginx", "PANTAU_DEMO": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port", "0",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode != 0
    assert "Pantau does not start: PANTAU_TRUSTED_PROXIES='nginx' cannot be used" in done.stderr
    assert not (tmp_path / "p.duckdb").exists()


def test_a_background_threads_failure_reaches_the_log_with_its_module(capfd: pytest.CaptureFixture[str]) -> None:
    logs._configured.clear()
    lib_logger = logging.getLogger("lib")
    before = list(lib_logger.handlers)
    try:
        logs.configure()
        try:
            raise OSError("disk full")
        except OSError:
            logging.getLogger("lib.ingest.desk").exception("storing check-in taps failed")
        err = capfd.readouterr().err
        assert "ERROR lib.ingest.desk: storing check-in taps failed" in err and "OSError: disk full" in err
    finally:
        for handler in lib_logger.handlers[len(before):]:
            lib_logger.removeHandler(handler)
        logs._configured.clear()


def test_an_unexpected_error_is_one_line_and_traceback_shows_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from lib.cli import commands

    def broken(_con: object, _args: object) -> int:
        raise RuntimeError("the visits went missing")

    monkeypatch.setattr(commands, "cmd_visits", broken)
    out, err = io.StringIO(), io.StringIO()
    assert commands.run(["--db", str(tmp_path / "p.duckdb"), "visits"], out, err, lang="en") == 1
    assert err.getvalue() == "error: RuntimeError: the visits went missing (--traceback shows where)\n"
    err = io.StringIO()
    assert commands.run(["--db", str(tmp_path / "p.duckdb"), "--traceback", "visits"], out, err, lang="en") == 1
    assert err.getvalue().startswith("Traceback (most recent call last):") and "in broken" in err.getvalue()
