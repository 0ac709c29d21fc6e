"""Database trouble in one line: malformed URLs, refused connections, unknown databases, lost runs.

Each message names user@host:port/database and the fix, and none carries the password.
"""

import contextlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
import psycopg2
import pytest
import sqlalchemy.exc
from dagster_postgres.utils import DagsterPostgresException

from spotify_assets import database_probe, embedded_postgres
from spotify_assets.resources.postgres import (
    DatabaseUnavailableError,
    DatabaseUrlError,
    PostgresResource,
    connection_error,
    normalize_url,
    redact_password,
)
from spotify_assets.settings import WAREHOUSE_DATABASE

CLI = Path(sys.executable).parent / "spotify-assets"
PASSWORD = "50%off-S3cret"
ENCODE_FIX = (
    "Fix: percent-encode the user and password (% as %25, a space as %20, @ as %40, / as %2F), "
    "e.g. python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=\"\"))' PASSWORD"
)


def _cli(*args: str, url: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_ASSETS_")}
    env.update(SPOTIFY_ASSETS_HOME=str(home), SPOTIFY_ASSETS_DATABASE_URL=url)
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            f"postgresql://u:{PASSWORD}@127.0.0.1:5432/db",
            "a '%' in it does not start a percent-encoded byte (write % as %25)",
        ),
        (
            "postgresql://u:my S3cret@127.0.0.1:5432/db",
            "it contains a space (write a space as %20)",
        ),
        (
            "postgresql://u:a@S3cret@127.0.0.1:5432/db",
            "an '@' or '/' in the user or password is not percent-encoded",
        ),
        (
            "postgresql://u:a/S3cret@127.0.0.1:5432/db",
            "an '@' or '/' in the user or password is not percent-encoded",
        ),
    ],
)
def test_a_malformed_url_gets_one_line_with_the_password_masked(url: str, problem: str) -> None:
    with pytest.raises(DatabaseUrlError) as error:
        normalize_url(url)
    assert str(error.value) == (
        "SPOTIFY_ASSETS_DATABASE_URL is not a valid PostgreSQL URL "
        f"(postgresql://u:***@127.0.0.1:5432/db): {problem}. {ENCODE_FIX}"
    )
    assert "S3cret" not in str(error.value)


def test_other_parse_errors_keep_libpq_words_without_the_password() -> None:
    with pytest.raises(DatabaseUrlError) as error:
        normalize_url("postgresql://u:S3cret@[::1/db")
    assert str(error.value) == (
        "SPOTIFY_ASSETS_DATABASE_URL is not a valid PostgreSQL URL (postgresql://u:***@[::1/db): "
        "Invalid IPv6 URL. Fix: write it as postgresql://user:password@host:5432/database"
    )
    with pytest.raises(DatabaseUrlError, match=r'libpq says: invalid URI query parameter: "foo"'):
        normalize_url("postgresql://u:S3cret@h/db?foo=1")


@pytest.mark.parametrize(
    ("url", "password"),
    [
        (f"postgresql://u:{PASSWORD}@127.0.0.1:5432/db", PASSWORD),
        ("postgresql://u:my S3cret@h/db", "my S3cret"),
        ("postgresql://u:S3cret%21@h/db", "S3cret!"),
    ],
)
def test_redaction_never_fails_even_on_a_malformed_url(url: str, password: str) -> None:
    """The run-failure sensor redacts with the URL as configured, which may be malformed."""
    text = f"failed: {url} (password {password})"
    assert "S3cret" not in redact_password(text, url)


def test_the_cli_reports_a_malformed_url_in_one_line(tmp_path: Path) -> None:
    url = f"postgresql://u:{PASSWORD}@127.0.0.1:5432/db"
    for command in (["db", "status"], ["db", "psql"], ["run"]):
        result = _cli(*command, url=url, home=tmp_path)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            "Error: SPOTIFY_ASSETS_DATABASE_URL is not a valid PostgreSQL URL "
            "(postgresql://u:***@127.0.0.1:5432/db): a '%' in it does not start a "
            f"percent-encoded byte (write % as %25). {ENCODE_FIX}"
        ]


def test_a_malformed_storage_url_is_named_too(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_ASSETS_")}
    env.update(
        SPOTIFY_ASSETS_HOME=str(tmp_path),
        SPOTIFY_ASSETS_DATABASE_URL="postgresql://u:fine@127.0.0.1:5432/db",
        SPOTIFY_ASSETS_DAGSTER_STORAGE_URL="postgresql+psycopg2://d:my S3cret@127.0.0.1:5432/dagster",
    )
    result = subprocess.run([CLI, "run"], capture_output=True, text=True, env=env, timeout=60)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "Error: SPOTIFY_ASSETS_DAGSTER_STORAGE_URL is not a valid PostgreSQL URL "
        "(postgresql://d:***@127.0.0.1:5432/dagster): it contains a space (write a space as "
        f"%20). {ENCODE_FIX}"
    ]


def test_the_code_location_refuses_a_malformed_url_without_printing_it() -> None:
    """`dagster dev` run by hand loads the definitions itself: the load fails, masked."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_ASSETS_")}
    env["SPOTIFY_ASSETS_DATABASE_URL"] = f"postgresql://u:{PASSWORD}@127.0.0.1:5432/db"
    result = subprocess.run(
        [sys.executable, "-c", "import spotify_assets.definitions"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1 and "S3cret" not in result.stdout + result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "spotify_assets.resources.postgres.DatabaseUrlError: SPOTIFY_ASSETS_DATABASE_URL is not "
        "a valid PostgreSQL URL (postgresql://u:***@127.0.0.1:5432/db)"
    )


def test_a_closed_port_stops_run_and_ui_before_they_start(tmp_path: Path) -> None:
    port = _closed_port()
    expected = [
        f"Error: Cannot connect to PostgreSQL at alice@127.0.0.1:{port}/warehouse (the URL in "
        "SPOTIFY_ASSETS_DATABASE_URL): no server accepts connections there (connection refused). "
        "Fix: start the server, or correct the URL in SPOTIFY_ASSETS_DATABASE_URL, or unset "
        "SPOTIFY_ASSETS_DATABASE_URL to use the embedded server."
    ]
    for command in ("run", "ui"):
        result = _cli(
            command, url=f"postgresql://alice:S3cret@127.0.0.1:{port}/warehouse", home=tmp_path
        )
        assert (result.returncode, result.stdout, result.stderr.splitlines()) == (1, "", expected)
    assert not (tmp_path / "dagster").exists()  # nothing was started


@pytest.mark.postgres
def test_an_unknown_database_is_named_with_the_fix(
    postgres: PostgresResource, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parts = urlsplit(postgres.target_url)
    url = urlunsplit(parts._replace(path="/no_such_db"))
    monkeypatch.setenv("SPOTIFY_ASSETS_DATABASE_URL", url)
    monkeypatch.delenv("SPOTIFY_ASSETS_DAGSTER_STORAGE_URL", raising=False)
    with pytest.raises(DatabaseUnavailableError) as error:
        database_probe.check(tmp_path)
    user = psycopg.conninfo.conninfo_to_dict(url).get("user")
    assert str(error.value).startswith(f"Cannot connect to PostgreSQL at {user}@")
    assert str(error.value).endswith(
        "/no_such_db (the URL in SPOTIFY_ASSETS_DATABASE_URL): database 'no_such_db' does not "
        "exist. Fix: create it (createdb no_such_db) or correct the URL in "
        "SPOTIFY_ASSETS_DATABASE_URL, or unset SPOTIFY_ASSETS_DATABASE_URL to use the embedded server."
    )


def test_a_wrong_password_is_named_by_a_server_that_asks_for_one(
    run_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test servers trust local users; this one is switched to scram first."""
    url = embedded_postgres.start(run_home, WAREHOUSE_DATABASE)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("alter role postgres password 'the-right-one'")
        hba = embedded_postgres.pgdata_dir(run_home) / "pg_hba.conf"
        with hba.open("r+") as handle:  # in place: the file keeps its owner (pgserver's, as root)
            text = handle.read().replace("trust", "scram-sha-256")
            handle.seek(0)
            handle.truncate()
            handle.write(text)
        conn.execute("select pg_reload_conf()")
    socket_dir = embedded_postgres.status(run_home).socket_dir
    wrong = f"postgresql://postgres:WrongS3cret@/{WAREHOUSE_DATABASE}?host={socket_dir}"
    monkeypatch.setenv("SPOTIFY_ASSETS_DATABASE_URL", wrong)
    monkeypatch.delenv("SPOTIFY_ASSETS_DAGSTER_STORAGE_URL", raising=False)
    with pytest.raises(DatabaseUnavailableError) as error:
        database_probe.check(run_home)
    assert str(error.value) == (
        f"Cannot connect to PostgreSQL at postgres@socket {socket_dir}/{WAREHOUSE_DATABASE} (the "
        "URL in SPOTIFY_ASSETS_DATABASE_URL): the server refused the password of user 'postgres'. "
        "Fix: put the right password in the URL in SPOTIFY_ASSETS_DATABASE_URL (percent-encoded), "
        "or unset SPOTIFY_ASSETS_DATABASE_URL to use the embedded server."
    )


def test_a_refused_password_and_a_full_disk_are_named() -> None:
    url = "postgresql://bob:S3cret@db.internal:5433/wh"
    refused = psycopg.OperationalError(
        'connection to server at "db.internal" (10.0.0.5), port 5433 failed: '
        'FATAL:  password authentication failed for user "bob"'
    )
    assert str(connection_error(refused, url, "the URL in SPOTIFY_ASSETS_DATABASE_URL")) == (
        "Cannot connect to PostgreSQL at bob@db.internal:5433/wh (the URL in "
        "SPOTIFY_ASSETS_DATABASE_URL): the server refused the password of user 'bob'. Fix: put "
        "the right password in the URL in SPOTIFY_ASSETS_DATABASE_URL (percent-encoded), or "
        "unset SPOTIFY_ASSETS_DATABASE_URL to use the embedded server."
    )
    full = psycopg.errors.DiskFull(
        'could not extend file "base/16384/16390": No space left on device'
    )
    assert str(connection_error(full, url, "the URL in SPOTIFY_ASSETS_DAGSTER_STORAGE_URL")) == (
        "Cannot connect to PostgreSQL at bob@db.internal:5433/wh (the URL in "
        "SPOTIFY_ASSETS_DAGSTER_STORAGE_URL): the server's disk is full (could not extend file "
        '"base/16384/16390": No space left on device). Fix: free disk space where its data '
        "lives, then run again."
    )


def _storage_failure(message: str) -> DagsterPostgresException:
    """What execute_in_process raises when Dagster's storage fails: the driver's error, wrapped."""
    try:
        try:
            raise psycopg2.OperationalError(message)
        except psycopg2.OperationalError as driver:
            raise sqlalchemy.exc.OperationalError("INSERT ...", {}, driver) from driver
    except sqlalchemy.exc.OperationalError as wrapped:
        error = DagsterPostgresException("too many retries for DB connection")
        error.__cause__ = wrapped
        return error


@pytest.mark.postgres
def test_a_database_error_during_a_run_ends_in_one_line(
    postgres: PostgresResource, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    parts = urlsplit(postgres.target_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    url = urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}:RunS3cret@{host}"))
    monkeypatch.setenv("SPOTIFY_ASSETS_DATABASE_URL", url)
    monkeypatch.delenv("SPOTIFY_ASSETS_DAGSTER_STORAGE_URL", raising=False)
    full = 'could not extend file "base/1/2": No space left on device (RunS3cret)'
    with pytest.raises(DatabaseUnavailableError) as error, database_probe.explained(tmp_path):
        raise _storage_failure(full)
    assert str(error.value) == (
        'The run failed on a database error (could not extend file "base/1/2": No space left on '
        "device (***)); the databases answer again. Fix: free disk space where the database keeps "
        "its data, then run again."
    )
    with (
        pytest.raises(DatabaseUnavailableError, match="Fix: run again"),
        database_probe.explained(tmp_path),
    ):
        raise _storage_failure("server closed the connection unexpectedly")
    with pytest.raises(KeyError), database_probe.explained(tmp_path):
        raise KeyError("not a database error")


@pytest.mark.postgres
def test_db_psql_keeps_the_password_off_the_command_line(
    postgres: PostgresResource, tmp_path: Path
) -> None:
    parts = urlsplit(postgres.target_url)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = (parts.username or "postgres").split(":")[0]
    # The test servers trust local connections, so any password logs in.
    url = urlunsplit(parts._replace(netloc=f"{user}:PsqlS3cret@{host}"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_ASSETS_")}
    env.update(SPOTIFY_ASSETS_HOME=str(tmp_path), SPOTIFY_ASSETS_DATABASE_URL=url)
    child = subprocess.Popen(
        [CLI, "db", "psql", "-At", "-c", "select pg_sleep(3)"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process = psutil.Process(child.pid)
        seen: list[str] = []
        while child.poll() is None and not (seen and Path(seen[0]).name == "psql"):
            seen = process.cmdline()  # the same pid once spotify-assets execs psql
        assert seen and Path(seen[0]).name == "psql"
        assert not any("PsqlS3cret" in arg for arg in seen)
        assert process.environ()["PGPASSWORD"] == "PsqlS3cret"
    finally:
        out, err = child.communicate(timeout=60)
    assert (child.returncode, out.strip()) == (0, ""), err


def _checksums(url: str) -> dict[str, tuple[int, str]]:
    """Row count and content checksum of every silver and gold table."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select format('%I.%I', schemaname, tablename) from pg_tables"
            " where schemaname in ('silver', 'gold') order by 1"
        ).fetchall()
        return {
            table: conn.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
                f" from {table} t"
            ).fetchone()
            for (table,) in tables
        }


def _debris(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select schemaname || '.' || tablename from pg_tables where tablename like '%\\_\\_staging\\_%'"
        ).fetchall()
    return [name for (name,) in rows]


def _materializations(home: Path) -> int:
    url = embedded_postgres.url(home, "dagster")
    if url is None:
        return 0
    with contextlib.suppress(psycopg.Error), psycopg.connect(url, connect_timeout=2) as conn:
        return conn.execute(
            "select count(*) from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'"
        ).fetchone()[0]
    return 0


def _modes(paths) -> set[int]:
    return {stat.S_IMODE(path.stat().st_mode) for path in paths}


@pytest.fixture
def run_home() -> Iterator[Path]:
    """A home outside pytest's base folder (a concurrent session resets that one to 0700)."""
    home = Path(tempfile.mkdtemp(prefix="spotify_assets_test_"))
    yield home
    env = {**os.environ, "SPOTIFY_ASSETS_HOME": str(home)}
    subprocess.run([CLI, "sandbox", "stop"], env=env, capture_output=True, check=False)
    embedded_postgres.stop(home)
    shutil.rmtree(home, ignore_errors=True)


def test_a_run_that_loses_its_database_ends_in_one_line_and_the_next_run_converges(
    run_home: Path,
) -> None:
    """The fault matrix's "database stopped mid-run", through the real CLI (about 100 s: three
    whole runs of the demo pipeline, one of them waiting out Dagster's storage retries)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_ASSETS_")}
    env["SPOTIFY_ASSETS_HOME"] = str(run_home)
    first = subprocess.run([CLI, "run"], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    warehouse = embedded_postgres.url(run_home, WAREHOUSE_DATABASE)
    reference = _checksums(warehouse)
    assert len(reference) == 14 and all(rows for rows, _ in reference.values())
    # The run's folders and files are the user's only, compute logs and report included.
    dagster_home = run_home / "dagster"
    compute_logs = list((dagster_home / "storage").rglob("compute_logs/*"))
    assert compute_logs and _modes(compute_logs) == {0o600}
    assert _modes([dagster_home, run_home / "report"]) == {0o700}
    assert _modes((run_home / "report").iterdir()) == {0o600}
    assert _modes([run_home]) == {0o711 if os.geteuid() == 0 else 0o700}

    done = _materializations(run_home)
    second = subprocess.Popen(
        [CLI, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while _materializations(run_home) < done + 8 and second.poll() is None:
        assert time.monotonic() < deadline, "the second run materialized nothing"
        time.sleep(0.2)
    assert embedded_postgres.stop(run_home)
    _, stderr = second.communicate(timeout=240)
    assert second.returncode == 1
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == (
        "Error: Cannot connect to PostgreSQL at the embedded server (database spotify_assets, "
        f"data in {run_home / 'pgdata'}): it is not running. Fix: run again "
        "(`spotify-assets run` starts it), or `spotify-assets db start`."
    )

    warehouse = embedded_postgres.start(run_home, WAREHOUSE_DATABASE)
    assert _debris(warehouse) == []
    # The demo catalog does not change, so old and new are equal: no table is half written.
    assert _checksums(warehouse) == reference
    third = subprocess.run([CLI, "run"], env=env, capture_output=True, text=True, timeout=300)
    assert third.returncode == 0, third.stderr
    assert _checksums(warehouse) == reference
