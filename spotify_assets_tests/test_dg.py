"""Dagster's own CLI, `dg`, sees the code location through ``[tool.dg]`` in pyproject.toml.

`dg check defs` and `dg list defs` load it as Dagster's tooling does, and what dg lists is compared
with the Definitions loaded here. `dg launch --assets bronze/artists` materializes one bronze asset
on the project's Dagster instance (the environment `spotify-assets run` sets up), against the
offline sandbox, in a throwaway home. dg's scaffolding and components are not used by the project.
"""

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from dagster import AssetKey, DagsterInstance, DagsterRunStatus

from spotify_assets import embedded_postgres
from spotify_assets import instance as project_instance
from spotify_assets.definitions import defs
from spotify_assets.sandbox import embedded as embedded_sandbox
from spotify_assets.settings import WAREHOUSE_DATABASE
from spotify_assets_tests.commands import outside_env, run

REPOSITORY = Path(__file__).resolve().parents[1]
DG = Path(sys.executable).with_name("dg")


@pytest.fixture
def home() -> Iterator[Path]:
    """A throwaway HOME and project home; its servers are stopped after."""
    home = Path(tempfile.mkdtemp(prefix="spotify_assets_dg_"))
    yield home
    embedded_sandbox.stop(home)
    embedded_postgres.stop(home)
    shutil.rmtree(home, ignore_errors=True)


def _env(home: Path, **settings: str) -> dict[str, str]:
    return outside_env(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        SPOTIFY_ASSETS_HOME=str(home),
        **settings,
    )


def test_dg_checks_and_lists_the_code_location(home: Path) -> None:
    check = run([DG, "check", "defs"], cwd=REPOSITORY, env=_env(home), timeout=300)
    assert "All definitions loaded successfully." in check.stdout

    listed = json.loads(
        run([DG, "list", "defs", "--json"], cwd=REPOSITORY, env=_env(home), timeout=300).stdout
    )
    repository = defs.get_repository_def()
    assert {asset["asset_key"] for asset in listed["assets"]} == {
        node.key.to_user_string() for node in repository.asset_graph.asset_nodes
    }
    assert "silver/tracks" in {asset["asset_key"] for asset in listed["assets"]}
    assert {job["name"] for job in listed["jobs"]} == {
        job.name for job in repository.get_all_jobs() if not job.name.startswith("__")
    }
    assert {sensor["name"] for sensor in listed["sensors"]} == {
        sensor.name for sensor in repository.sensor_defs
    }
    assert {schedule["name"] for schedule in listed["schedules"]} == {"all_assets_job_schedule"}


def test_dg_launch_materializes_an_asset_on_the_project_instance(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SPOTIFY_ASSETS_DATABASE_URL", project_instance.STORAGE_URL_ENV):
        monkeypatch.delenv(name, raising=False)
    instance_env = project_instance.prepare(home)
    # The embedded server's storage URL, as the README spells it for pointing dg at this instance.
    assert instance_env == {
        "DAGSTER_HOME": str(home / "dagster"),
        project_instance.STORAGE_URL_ENV: f"postgresql+psycopg2://postgres:@/dagster?host={home}/pgdata",
    }

    run(
        [DG, "launch", "--assets", "bronze/artists"],
        cwd=REPOSITORY,
        env=_env(home, **instance_env),
        timeout=300,
    )

    monkeypatch.setenv(
        project_instance.STORAGE_URL_ENV, instance_env[project_instance.STORAGE_URL_ENV]
    )
    with DagsterInstance.from_config(instance_env["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()
    assert [(r.status, r.asset_selection) for r in runs] == [
        (DagsterRunStatus.SUCCESS, frozenset({AssetKey(["bronze", "artists"])}))
    ]
    url = embedded_postgres.url(home, WAREHOUSE_DATABASE)
    assert url is not None
    with psycopg.connect(url) as conn:
        # The packaged watch list's 20 demo artists, from the sandbox the asset started.
        assert conn.execute("select count(*) from bronze.artists").fetchone() == (20,)
    assert embedded_sandbox.status(home).endpoints is not None
