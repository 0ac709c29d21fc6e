"""The exit codes every ``spotify-assets`` command shares, through the installed console script.

0 success, 1 a run or check failed, 2 a usage or configuration error, each error in one line on
stderr. A failed run's 1 is proved with a real run in test_run_lifecycle.py
(test_a_failed_run_prints_each_failed_steps_reason), an unreachable database's in
test_database_errors.py; a malformed database URL's 2 there too.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "spotify-assets"


def _cli(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_ASSETS_")}
    clean.update(SPOTIFY_ASSETS_HOME=str(home), **env)
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, env=clean, timeout=120, check=False
    )


def test_help_succeeds_and_documents_the_exit_codes(tmp_path: Path) -> None:
    result = _cli("--help", home=tmp_path)
    assert result.returncode == 0
    assert "Exit codes: 0 success; 1 a run or check failed" in result.stdout
    assert "2 a usage or configuration error" in result.stdout


def test_run_help_documents_its_options_and_the_exit_codes(tmp_path: Path) -> None:
    result = _cli("run", "--help", home=tmp_path)
    assert result.returncode == 0
    for option in ("--select", "--full-refresh", "--watchlist", "--api-url", "--accounts-url"):
        assert option in result.stdout
    for option in ("--json", "--quiet", "--verbose", "SPOTIFY_ASSETS_WATCHLIST"):
        assert option in result.stdout
    assert "Exit codes: 0 success; 1 a run or check failed" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-command"], "Error: No such command"),
        (["run", "--no-such-option"], "Error: No such option"),
        (["run", "--quiet", "--verbose"], "--quiet and --verbose contradict each other"),
        (["run", "--select", "nothing:here"], "Invalid value for --select: Invalid selection"),
        (["run", "--select", "key:gold/nope"], "--select: 'key:gold/nope' selects no asset"),
    ],
)
def test_a_usage_error_exits_2_before_anything_starts(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = _cli(*args, home=tmp_path / "home")
    assert (result.returncode, result.stdout) == (2, "")
    assert message in result.stderr, result.stderr
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("command", ["run", "ui"])
def test_a_malformed_api_url_exits_2_before_anything_starts(tmp_path: Path, command: str) -> None:
    result = _cli(command, home=tmp_path, SPOTIFY_ASSETS_API_URL="ftp://api.example.com/v1")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "Error: SPOTIFY_ASSETS_API_URL='ftp://api.example.com/v1' is not a usable URL (the scheme "
        "must be http or https); e.g. SPOTIFY_ASSETS_API_URL=https://api.spotify.com/v1"
    ]
    assert not tmp_path.exists() or not any(tmp_path.iterdir())  # nothing was started


def test_a_bad_watch_list_exits_2_before_anything_starts(tmp_path: Path) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text("artists:\n  - not an id\n")
    home = tmp_path / "home"
    result = _cli("run", home=home, SPOTIFY_ASSETS_WATCHLIST=str(watchlist))
    assert (result.returncode, result.stdout) == (2, "")
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {watchlist}") and "'not an id'" in line, line
    assert not home.exists()


def test_a_failed_check_exits_1(tmp_path: Path) -> None:
    """Credentials that are fine, asked of a token endpoint that does not answer."""
    config = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    stored = subprocess.run(
        [CLI, "credentials", "init", "--stdin"],
        input="an-id-of-some-length\na-secret-of-some-length\n",
        capture_output=True,
        text=True,
        env={**os.environ, **config},
        timeout=60,
    )
    assert stored.returncode == 0, stored.stderr
    result = _cli(
        "credentials", "check", "--accounts-url", "http://127.0.0.1:9/api/token",
        "--timeout", "2", home=tmp_path / "home", **config,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("Error: Could not get a token from http://127.0.0.1:9/")
