"""`spotify-assets run` as a real process, on a project home of its own, for lifecycle tests.

The home gets fresh warehouse and Dagster databases on the test server (so parallel sessions and
tests never share runs or pool slots), no Spotify credentials, and its shared sandbox started up
front, so a test can change the catalog and read its request log. Runs start in their own process
session, as from a terminal; the helpers read what Dagster recorded straight from its tables.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from spotify_assets.sandbox import embedded as embedded_sandbox

CLI = str(Path(sys.executable).with_name("spotify-assets"))
_KEPT_OUT = ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_ASSETS_FERNET_KEY")


def with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


class CliHome:
    def __init__(self, home: Path, server_url: str) -> None:
        self.home = home
        self._server_url = server_url
        tag = uuid.uuid4().hex[:10]
        self.databases = [f"lc_warehouse_{tag}", f"lc_dagster_{tag}"]
        with psycopg.connect(server_url, autocommit=True) as conn:
            for name in self.databases:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        self.warehouse_url = with_database(server_url, self.databases[0])
        self.dagster_url = with_database(server_url, self.databases[1])
        (home / "home").mkdir(parents=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in _KEPT_OUT},
            "SPOTIFY_ASSETS_HOME": str(home),
            "HOME": str(home / "home"),
            "XDG_CONFIG_HOME": str(home / "home" / ".config"),
            "SPOTIFY_ASSETS_DATABASE_URL": self.warehouse_url,
            "SPOTIFY_ASSETS_DAGSTER_STORAGE_URL": urlunsplit(
                urlsplit(self.dagster_url)._replace(scheme="postgresql+psycopg2")
            ),
            "PYTHONUNBUFFERED": "1",
        }
        self.sandbox = embedded_sandbox.ensure_running(home)
        self.processes: list[subprocess.Popen] = []
        self._names: dict[int, str] = {}
        self._events_before: dict[int, int] = {}

    def start_run(
        self, name: str = "run", args: tuple[str, ...] = (), **env: str
    ) -> subprocess.Popen:
        """``spotify-assets run *args`` (output to ``<name>.log``), ``env`` added to the home's."""
        try:
            ((last_event,),) = self.dagster("select coalesce(max(id), 0) from event_logs")
        except psycopg.errors.UndefinedTable:
            last_event = 0
        process = self.start(name, "run", *args, **env)
        self._events_before[process.pid] = last_event
        return process

    def start(self, name: str, *arguments: str, **env: str) -> subprocess.Popen:
        """``spotify-assets <arguments>`` in its own session, its output in ``<name>.log``."""
        with (self.home / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [CLI, *arguments],
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.processes.append(process)
        self._names[process.pid] = name
        return process

    def output(self, run: subprocess.Popen | str = "run") -> str:
        name = run if isinstance(run, str) else self._names[run.pid]
        return (self.home / f"{name}.log").read_text(errors="replace")

    def finish(self, process: subprocess.Popen, timeout: float = 240) -> str:
        """Wait for a run to end; its output (asserting it succeeded)."""
        name = self._names[process.pid]
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} did not finish:\n{self.output(name)[-3000:]}") from None
        assert process.returncode == 0, self.output(name)[-3000:]
        return self.output(name)

    def dagster(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.dagster_url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def warehouse(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.warehouse_url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def wait_for_step_start(
        self, process: subprocess.Popen, step_prefix: str, timeout: float = 180
    ) -> tuple[str, str]:
        """(run id, step key) of the first STEP_START of a step named ``step_prefix``... after
        the run ``process`` started."""
        name = self._names[process.pid]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert process.poll() is None, f"{name} ended early:\n{self.output(name)[-3000:]}"
            try:
                rows = self.dagster(
                    "select run_id, step_key from event_logs where dagster_event_type = "
                    "'STEP_START' and starts_with(step_key, %s) and id > %s order by id limit 1",
                    (step_prefix, self._events_before[process.pid]),
                )
            except psycopg.errors.UndefinedTable:
                rows = []
            if rows:
                return rows[0]
            time.sleep(0.05)
        raise AssertionError(f"no {step_prefix} step started:\n{self.output(name)[-3000:]}")

    def run_status(self, run_id: str) -> str:
        return self.dagster("select status from runs where run_id = %s", (run_id,))[0][0]

    def held_slots(self) -> list[tuple]:
        """(run id, step key) of every pool slot claimed and every step queued or assigned one."""
        claimed = self.dagster(
            "select run_id, step_key from concurrency_slots where run_id is not null"
        )
        pending = self.dagster("select run_id, step_key from pending_steps")
        return sorted(set(claimed) | set(pending))

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        embedded_sandbox.stop(self.home)
        with psycopg.connect(self._server_url, autocommit=True) as conn:
            for name in self.databases:
                conn.execute(
                    sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
                )


def cli_homes(tmp_path: Path, server_url: str) -> Iterator:
    """Yield a factory of CliHomes in ``tmp_path``; all are closed afterwards."""
    made: list[CliHome] = []

    def make(name: str = "home") -> CliHome:
        home = CliHome(tmp_path / name, server_url)
        made.append(home)
        return home

    yield make
    for home in made:
        home.close()
