"""Each run's bronze steps work on that run's scope, however runs interleave on one instance.

The queued coordinator runs several runs at once and the ``spotify_api`` pool serialises steps,
not runs, so steps of a one-artist sensor run and of the daily full refresh alternate. Here two
runs are created on one instance and their steps executed one at a time, alternately, with
Dagster's step-level execution (``execute_plan`` over a one-step plan, as its step workers do),
against the sandbox over HTTP and a real PostgreSQL. Each step must make exactly the requests it
makes when its run is alone (counted in the sandbox stats). Also covered: a re-execution of a
run's unfinished steps in a new run keeps the parent's scope, and a downstream bronze step
selected without its upstream fails with a line saying what to select.
"""

from collections.abc import Mapping

import pytest
from dagster import DagsterInstance, Definitions, JobDefinition, materialize

# Step-level execution, as Dagster's step workers run one step of an existing run; private API,
# so this import fails loudly if a Dagster upgrade moves it.
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.execution.api import create_execution_plan, execute_plan

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.bronze.albums import albums
from spotify_assets.jobs import refresh_artists_job
from spotify_assets.sandbox import SandboxServer
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.fixtures.pipeline import pipeline_resources

pytestmark = pytest.mark.postgres

STEPS = ["bronze__artists", "bronze__artist_albums", "bronze__albums", "bronze__album_tracks"]
# What the daily schedule asks of the artist chain: every watched artist, read again in full.
FULL_REFRESH = {"ops": {step: {"config": {"full_refresh": True}} for step in STEPS}}


def _one_artist(artist: str) -> dict:
    """What the new-release sensor asks for: one artist's refresh."""
    return {"ops": {"bronze__artists": {"config": {"entries": [artist]}}}}


def _job(resources: Mapping[str, object]) -> JobDefinition:
    defs = Definitions(assets=bronze_assets, jobs=[refresh_artists_job], resources=resources)
    return defs.resolve_job_def(refresh_artists_job.name)


class StepwiseRun:
    """A run created on ``instance`` whose steps are executed one at a time, on request."""

    def __init__(
        self,
        instance: DagsterInstance,
        sandbox: SandboxServer,
        job: JobDefinition,
        run_config: dict,
        parent: "StepwiseRun | None" = None,
    ) -> None:
        self.instance, self.sandbox, self.job, self.run_config = instance, sandbox, job, run_config
        self.dagster_run = instance.create_run_for_job(
            job_def=job,
            run_config=run_config,
            parent_run_id=parent.run_id if parent else None,
            root_run_id=(parent.dagster_run.root_run_id or parent.run_id) if parent else None,
        )
        self.requests: dict[str, dict[str, int]] = {}

    @property
    def run_id(self) -> str:
        return self.dagster_run.run_id

    def step(self, key: str) -> None:
        """Execute step ``key`` of this run; record the requests the sandbox served for it."""
        self.sandbox.reset_stats()
        plan = create_execution_plan(self.job, self.run_config, step_keys_to_execute=[key])
        events = execute_plan(
            plan, InMemoryJob(self.job), self.instance, self.dagster_run, self.run_config
        )
        failures = [event for event in events if event.is_step_failure]
        assert not failures, failures[0].event_specific_data.error.message
        self.requests[key] = self.sandbox.stats()["endpoints"]


def _alone(sandbox, postgres: PostgresResource, run_config: dict, steps=STEPS) -> StepwiseRun:
    """The run's steps with no other run about, on a warehouse of their own: the reference."""
    run = StepwiseRun(
        DagsterInstance.ephemeral(),
        sandbox,
        _job(pipeline_resources(sandbox, postgres)),
        run_config,
    )
    for key in steps:
        run.step(key)
    return run


def test_interleaved_runs_each_fetch_exactly_their_own_scope(
    sandbox: SandboxServer, postgres: PostgresResource, make_postgres
) -> None:
    artist = sandbox.catalog.artist_ids()[3]
    job = _job(pipeline_resources(sandbox, postgres))
    instance = DagsterInstance.ephemeral()
    sensor_run = StepwiseRun(instance, sandbox, job, _one_artist(artist))
    daily_run = StepwiseRun(instance, sandbox, job, FULL_REFRESH)
    for key in STEPS:
        sensor_run.step(key)
        daily_run.step(key)

    for run, config in ((sensor_run, _one_artist(artist)), (daily_run, FULL_REFRESH)):
        alone = _alone(sandbox, make_postgres(), config)
        assert run.requests == alone.requests, run.run_id
    # The scopes really differ: one artist's discography, against every watched artist's.
    listings = "GET /v1/artists/{id}/albums"
    assert (
        sensor_run.requests["bronze__artist_albums"][listings]
        < (daily_run.requests["bronze__artist_albums"][listings])
    )
    with postgres.get_connection() as conn:
        listed = conn.execute(
            f'select distinct parent_id from "{postgres.schema("bronze")}".artist_albums '
            "where load_id = %s",
            [sensor_run.run_id],
        ).fetchall()
    assert listed == [(artist,)]


def test_a_reexecution_works_on_its_parent_runs_scope(
    sandbox: SandboxServer, postgres: PostgresResource, make_postgres
) -> None:
    first, other = sandbox.catalog.artist_ids()[3], sandbox.catalog.artist_ids()[5]
    job = _job(pipeline_resources(sandbox, postgres))
    instance = DagsterInstance.ephemeral()
    # A run for one artist stops after listing its discography (killed, or failed there) ...
    interrupted = StepwiseRun(instance, sandbox, job, _one_artist(first))
    for key in STEPS[:2]:
        interrupted.step(key)
    # ... another artist's run goes through meanwhile ...
    meanwhile = StepwiseRun(instance, sandbox, job, _one_artist(other))
    for key in STEPS:
        meanwhile.step(key)
    # ... and the first run's remaining steps are re-executed, in a new run and in two goes.
    retried = StepwiseRun(instance, sandbox, job, _one_artist(first), parent=interrupted)
    retried.step("bronze__albums")
    again = StepwiseRun(instance, sandbox, job, _one_artist(first), parent=retried)
    again.step("bronze__album_tracks")

    alone = _alone(sandbox, make_postgres(), _one_artist(first))
    assert retried.requests["bronze__albums"] == alone.requests["bronze__albums"]
    assert again.requests["bronze__album_tracks"] == alone.requests["bronze__album_tracks"]
    with postgres.get_connection() as conn:
        stored = conn.execute(
            f'select count(*) from "{postgres.schema("bronze")}".albums where load_id = %s',
            [retried.run_id],
        ).fetchone()[0]
    # Albums the other artist shares (collaborations) were stored by the run in between.
    discography = {
        artist: {e.album.id for e in sandbox.catalog.artist_albums(artist)}
        for artist in (first, other)
    }
    assert stored == len(discography[first] - discography[other]) > 0


def test_a_downstream_step_without_its_upstream_says_what_to_select(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    instance = DagsterInstance.ephemeral()
    assert materialize(bronze_assets[:2], resources=resources, instance=instance).success
    sandbox.reset_stats()
    result = materialize(
        bronze_assets,
        selection=[albums.key],
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failure.event_specific_data.error.message.strip().endswith(
        f"bronze/albums works on what bronze/artist_albums fetched in the same run, and run "
        f"{result.run_id} did not run bronze/artist_albums. Materialize bronze/artist_albums "
        "together with bronze/albums."
    )
    assert sandbox.stats()["total"] == 0
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
