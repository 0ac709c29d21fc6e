"""The embedded PostgreSQL: first start, sharing between processes, the `db` commands, stop.

Each test uses its own project home, so it starts (and stops) a server of its own.
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from click.testing import CliRunner

from spotify_assets import embedded_postgres
from spotify_assets.cli.main import main
from spotify_assets.settings import WAREHOUSE_DATABASE

START_SCRIPT = "import sys; from pathlib import Path; from spotify_assets import embedded_postgres as e; print(e.start(Path(sys.argv[1]), 'spotify_assets'))"


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder outside pytest's: a concurrent pytest session resets its base folder to 0700,
    which locks pgserver's own user (the server's, under root) out of a data folder there."""
    folder = Path(tempfile.mkdtemp(prefix="spotify_assets_test_"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def home(scratch: Path) -> Iterator[Path]:
    yield scratch / "home"
    embedded_postgres.stop(scratch / "home")


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


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# Under root PostgreSQL runs as pgserver's own user, which must pass through the home.
HOME_MODE = 0o711 if os.geteuid() == 0 else 0o700


@pytest.fixture
def long_home(scratch: Path) -> Iterator[Path]:
    """A 120-character home: ``<home>/pgdata/.s.PGSQL.5432`` exceeds the socket path limit."""
    home = scratch / "h"
    home = home.with_name("h" * (120 - len(str(home)) + 1))
    assert len(str(home)) == 120
    yield home
    embedded_postgres.stop(home)


def test_a_long_home_keeps_the_socket_in_a_private_folder(long_home: Path) -> None:
    url = embedded_postgres.start(long_home, WAREHOUSE_DATABASE)
    socket_dir = embedded_postgres.status(long_home).socket_dir
    assert socket_dir is not None and socket_dir != embedded_postgres.pgdata_dir(long_home)
    assert _mode(socket_dir) == 0o700
    # Owned by the user the server runs as, like the data folder.
    assert socket_dir.stat().st_uid == embedded_postgres.pgdata_dir(long_home).stat().st_uid
    assert _mode(socket_dir / ".s.PGSQL.5432") == 0o700
    assert _mode(long_home) == HOME_MODE
    with psycopg.connect(url) as conn:
        assert conn.execute("select current_database()").fetchone() == (WAREHOUSE_DATABASE,)
    assert embedded_postgres.stop(long_home)
    assert not socket_dir.exists()
    # A restart picks a new private folder and keeps serving.
    url = embedded_postgres.start(long_home, WAREHOUSE_DATABASE)
    assert _mode(embedded_postgres.status(long_home).socket_dir) == 0o700
    with psycopg.connect(url) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another local user needs root")
def test_another_local_user_cannot_connect(long_home: Path) -> None:
    url = embedded_postgres.start(long_home, WAREHOUSE_DATABASE)
    attempt = subprocess.run(
        [embedded_postgres.bin_dir() / "psql", url, "-At", "-c", "select current_user"],
        capture_output=True,
        text=True,
        user="nobody",
        timeout=30,
    )
    assert attempt.returncode != 0 and attempt.stdout == ""
    assert "Permission denied" in attempt.stderr


def test_the_server_listens_on_its_private_socket_only(home: Path) -> None:
    url = embedded_postgres.start(home, WAREHOUSE_DATABASE)
    with psycopg.connect(url) as conn:
        settings = conn.execute(
            "select current_setting('listen_addresses'), current_setting('unix_socket_permissions')"
        ).fetchone()
    assert settings == ("", "0700")
    state = embedded_postgres.status(home)
    assert psutil.Process(state.pid).net_connections(kind="inet") == []
    assert state.socket_dir == state.pgdata and _mode(state.pgdata) == 0o700
    assert _mode(home) == HOME_MODE


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
