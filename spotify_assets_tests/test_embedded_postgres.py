"""The embedded PostgreSQL: first start, sharing between processes, the `db` commands, stop.

Each test uses its own project home, so it starts (and stops) a server of its own.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from spotify_assets import embedded_postgres
from spotify_assets.cli import main
from spotify_assets.settings import WAREHOUSE_DATABASE

START_SCRIPT = "import sys; from pathlib import Path; from spotify_assets import embedded_postgres as e; print(e.start(Path(sys.argv[1]), 'spotify_assets'))"


@pytest.fixture
def home(tmp_path: Path):
    yield tmp_path / "home"
    embedded_postgres.stop(tmp_path / "home")


def test_processes_starting_together_share_one_server(home: Path) -> None:
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", START_SCRIPT, str(home)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    urls = {starter.communicate(timeout=120)[0].strip() for starter in starters}
    assert all(starter.returncode == 0 for starter in starters)
    assert len(urls) == 1
    state = embedded_postgres.status(home)
    assert state.running
    with psycopg.connect(urls.pop()) as conn:
        assert conn.execute(
            "select current_database(), current_setting('wal_level')"
        ).fetchone() == (
            WAREHOUSE_DATABASE,
            "minimal",
        )
        # One postmaster serves everyone.
        assert conn.execute("select pg_postmaster_start_time() is not null").fetchone() == (True,)


def test_data_survives_a_restart(home: Path) -> None:
    url = embedded_postgres.start(home, WAREHOUSE_DATABASE)
    with psycopg.connect(url) as conn:
        conn.execute("create table kept (v int)")
        conn.execute("insert into kept values (42)")
    assert embedded_postgres.stop(home)
    assert not embedded_postgres.status(home).running
    assert embedded_postgres.url(home, WAREHOUSE_DATABASE) is None
    url = embedded_postgres.start(home, WAREHOUSE_DATABASE)
    with psycopg.connect(url) as conn:
        assert conn.execute("select v from kept").fetchall() == [(42,)]


def test_db_commands(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOTIFY_ASSETS_HOME", str(home))
    monkeypatch.delenv("SPOTIFY_ASSETS_DATABASE_URL", raising=False)
    runner = CliRunner()
    result = runner.invoke(main, ["db", "status"])
    assert result.exit_code == 0 and "not running" in result.output
    result = runner.invoke(main, ["db", "start"])
    assert result.exit_code == 0 and "Embedded PostgreSQL running: postgresql://" in result.output
    result = runner.invoke(main, ["db", "url"])
    assert result.output.strip() == embedded_postgres.url(home, WAREHOUSE_DATABASE)
    result = runner.invoke(main, ["db", "status"])
    assert "Embedded PostgreSQL running (pid" in result.output
    psql = subprocess.run(
        [
            Path(sys.executable).parent / "spotify-assets",
            "db",
            "psql",
            "-At",
            "-c",
            "select current_database()",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SPOTIFY_ASSETS_HOME": str(home)},
        timeout=60,
    )
    assert psql.returncode == 0, psql.stderr
    assert psql.stdout.strip() == WAREHOUSE_DATABASE
    result = runner.invoke(main, ["db", "stop"])
    assert result.output.strip() == "Embedded PostgreSQL stopped."
    result = runner.invoke(main, ["db", "stop"])
    assert result.output.strip() == "Embedded PostgreSQL was not running."


def test_db_status_with_a_url_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SPOTIFY_ASSETS_DATABASE_URL", "postgresql://bob:topsecret@db.internal:5433/wh"
    )
    result = CliRunner().invoke(main, ["db", "status"])
    assert result.output.strip() == "Using SPOTIFY_ASSETS_DATABASE_URL: bob@db.internal:5433/wh"
    result = CliRunner().invoke(main, ["db", "url"])
    assert result.output.strip() == "postgresql://bob:***@db.internal:5433/wh"
    result = CliRunner().invoke(main, ["db", "url", "--show-password"])
    assert result.output.strip() == "postgresql://bob:topsecret@db.internal:5433/wh"
    result = CliRunner().invoke(main, ["db", "start"])
    assert result.exit_code != 0 and "not managed here" in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "SPOTIFY_ASSETS_DATABASE_URL" in result.output and "db" in result.output
    result = CliRunner().invoke(main, ["db", "--help"])
    for command in ("url", "start", "stop", "status", "psql"):
        assert command in result.output
