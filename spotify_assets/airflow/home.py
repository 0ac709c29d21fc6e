"""An AIRFLOW_HOME in the project home for ``spotify-assets airflow init``: SQLite, the packaged
DAGs, no examples, the ``dagster_default`` connection.

Airflow writes its own airflow.cfg (with the secrets it generates for its API server); only the
options the DAG needs are changed, line by line, so its comments stay. Every step goes through the
``airflow`` command of this interpreter's environment, as a user would run it.
"""

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DAGS_FOLDER = Path(__file__).resolve().parent / "dags"
CONNECTION_ID = "dagster_default"  # as spotify_assets.airflow.operator reads it
INSTALL = "pip install -e '.[airflow]'"


class AirflowSetupError(Exception):
    """Airflow is missing or refused a step; the message says which and what to do."""


@dataclass(frozen=True)
class AirflowHome:
    path: Path
    dagster_url: str
    connection_created: bool

    @property
    def environment(self) -> dict[str, str]:
        return {**os.environ, "AIRFLOW_HOME": str(self.path)}


def missing_extra() -> str | None:
    """Why the airflow extra is not usable here, or None."""
    missing = [
        name for name in ("airflow", "dagster_graphql") if not importlib.util.find_spec(name)
    ]
    if missing:
        return f"{' and '.join(missing)} not installed: install the airflow extra, {INSTALL}"
    return None


def airflow_command() -> str:
    """The ``airflow`` script beside this interpreter (its venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "airflow"
    return str(beside) if beside.exists() else "airflow"


def _airflow(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [airflow_command(), *args],
        env={**os.environ, "AIRFLOW_HOME": str(home)},
        capture_output=True,
        text=True,
    )
    if check and done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise AirflowSetupError(f"`airflow {' '.join(args)}` failed ({done.returncode}): {tail}")
    return done


def _set_options(config: Path, options: dict[tuple[str, str], str]) -> None:
    """Set ``[section] key = value`` in Airflow's generated airflow.cfg, keeping the rest."""
    lines = config.read_text().splitlines()
    section = None
    for index, line in enumerate(lines):
        if header := re.fullmatch(r"\[(\w+)\]", line.strip()):
            section = header.group(1)
            continue
        key = re.match(r"(\w+)\s*=", line)
        if key and (section, key.group(1)) in options:
            lines[index] = f"{key.group(1)} = {options[(section, key.group(1))]}"
    config.write_text("\n".join(lines) + "\n")


def prepare(path: Path, dagster_url: str) -> AirflowHome:
    """Create or update the AIRFLOW_HOME at ``path``; an existing connection is kept as it is."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = path / "airflow.cfg"
    if not config.exists():
        _airflow(path, "config", "list")  # Airflow writes its default airflow.cfg on first use
    _set_options(
        config,
        {
            ("core", "dags_folder"): str(DAGS_FOLDER),
            ("core", "load_examples"): "False",
            ("database", "sql_alchemy_conn"): f"sqlite:///{path / 'airflow.db'}",
        },
    )
    _airflow(path, "db", "migrate")
    exists = _airflow(path, "connections", "get", CONNECTION_ID, check=False).returncode == 0
    if not exists:
        _airflow(
            path,
            "connections",
            "add",
            CONNECTION_ID,
            "--conn-type",
            "generic",
            "--conn-host",
            dagster_url.rstrip("/"),
            "--conn-description",
            "The Dagster webserver the spotify_assets DAG launches its runs on.",
        )
    return AirflowHome(path, dagster_url, connection_created=not exists)
