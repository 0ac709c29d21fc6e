"""The DataHub export of real pipeline runs, read back through DataHub's own code.

The session's built warehouse is exported by ``catalog_job`` into DataHub Lite and to a file.
One full run of its own has DataHub down (only ``catalog/datahub`` may fail, within seconds);
a later ``catalog_job`` then sends everything to a stub GMS on loopback.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from dagster import DagsterInstance, Definitions, EnvVar, ExecuteInProcessResult
from datahub.emitter.mce_builder import make_schema_field_urn
from datahub.testing.compare_metadata_json import diff_metadata_json, load_json_file

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.catalog import catalog_assets
from spotify_assets.assets.gold import gold_assets
from spotify_assets.assets.report import report_assets
from spotify_assets.assets.silver import silver_assets
from spotify_assets.catalog.build import build_catalog
from spotify_assets.catalog.datahub_mcps import catalog_mcps
from spotify_assets.catalog.datahub_sinks import TOKEN_ENV, URL_ENV, open_lite, write_file
from spotify_assets.catalog.datahub_target import DataHubResource
from spotify_assets.catalog.model import Catalog
from spotify_assets.jobs import all_assets_job, catalog_job
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.catalog.stub_gms import run_stub_gms
from spotify_assets_tests.conftest import drop_schemas
from spotify_assets_tests.fixtures.pipeline import BuiltWarehouse, pipeline_resources

pytestmark = pytest.mark.postgres

GOLDEN = Path(__file__).parent / "golden_mcps.json"
UPDATE_GOLDEN_ENV = "SPOTIFY_ASSETS_UPDATE_GOLDEN"
TOKEN = "dh-pipeline-token-9f8e7d6c5b4a"
JOB_ENTITIES = ("dataFlow", "dataJob")
# What changes from run to run: times, run ids, counts and check messages. The structure stays.
VOLATILE = (
    r"root\[\d+\]\['aspect'\]\['json'\]\['runId'\]",
    r"root\[\d+\]\['aspect'\]\['json'\]\['rowCount'\]",
    r"root\[\d+\]\['aspect'\]\['json'\]\['result'\]\['nativeResults'\]",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Pipeline:
    """The code location's assets, ``catalog/datahub`` included, on the test's sandbox and schemas
    with the DataHub target a run chooses; every run on one instance."""

    def __init__(self, server, postgres: PostgresResource, instance, report_dir: Path) -> None:
        self.server, self.postgres, self.instance = server, postgres, instance
        self.report_dir = report_dir

    def defs(self, datahub: DataHubResource) -> Definitions:
        return Definitions(
            assets=[*bronze_assets, *silver_assets, *gold_assets, *report_assets, *catalog_assets],
            jobs=[all_assets_job, catalog_job],
            resources={**pipeline_resources(self.server, self.postgres), "datahub": datahub},
        )

    def run(self, job: str, datahub: DataHubResource) -> ExecuteInProcessResult:
        ops = {"report__spotify_report": {"config": {"output_dir": str(self.report_dir)}}}
        return (
            self.defs(datahub)
            .resolve_job_def(job)
            .execute_in_process(
                run_config={"ops": ops} if job == all_assets_job.name else None,
                instance=self.instance,
                raise_on_error=False,
            )
        )

    def catalog(self) -> Catalog:
        defs = self.defs(DataHubResource(target="lite", home=str(self.report_dir)))
        return build_catalog(defs, self.postgres, instance=self.instance)


@pytest.fixture(scope="module")
def built(sandbox, built_warehouse: BuiltWarehouse) -> Pipeline:
    """The session's warehouse, built once without the export: exports run ``catalog_job``."""
    return Pipeline(
        sandbox, built_warehouse.postgres, built_warehouse.instance, built_warehouse.report_dir
    )


@pytest.fixture(scope="module")
def fresh(sandbox, postgres_url, postgres_home, tmp_path_factory) -> Iterator[Pipeline]:
    """Schemas and an instance of its own, for the one full run with DataHub down."""
    postgres = PostgresResource(
        url=postgres_url, home=str(postgres_home), schema_prefix=f"t{uuid.uuid4().hex[:10]}_"
    )
    report_dir = tmp_path_factory.mktemp("datahub_report")
    yield Pipeline(sandbox, postgres, DagsterInstance.ephemeral(), report_dir)
    drop_schemas(postgres.target_url, postgres.schema_prefix)


@pytest.fixture(scope="module")
def down_run(fresh: Pipeline) -> tuple[ExecuteInProcessResult, str]:
    url = f"http://127.0.0.1:{_free_port()}"
    datahub = DataHubResource(target="rest", url=url, token=TOKEN, retries=1)
    return fresh.run(all_assets_job.name, datahub), url


@pytest.fixture(scope="module")
def lite_home(built: Pipeline, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("datahub_home")
    result = built.run(catalog_job.name, DataHubResource(target="lite", home=str(home)))
    assert result.success
    return home


@pytest.fixture(scope="module")
def catalog(built: Pipeline) -> Catalog:
    return built.catalog()


def test_a_datahub_that_is_down_fails_the_export_alone_within_seconds(
    fresh: Pipeline, down_run
) -> None:
    result, url = down_run
    failures = [event for event in result.all_events if event.is_step_failure]
    assert [event.step_key for event in failures] == ["catalog__datahub"]
    message = failures[0].step_failure_data.error.cause.message
    assert url in message and TOKEN not in message
    step_events = fresh.instance.all_logs(result.run_id)
    times = [
        e.timestamp
        for e in step_events
        if e.step_key == "catalog__datahub"
        and e.dagster_event
        and e.dagster_event.event_type_value in ("STEP_START", "STEP_FAILURE")
    ]
    assert len(times) == 2
    assert max(times) - min(times) < 10
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"gold/artist_summary", "report/spotify_report", "silver/tracks"} <= materialized
    assert "catalog/datahub" not in materialized


def test_lite_holds_every_table_with_its_schema(lite_home: Path, catalog: Catalog) -> None:
    lite = open_lite(lite_home, read_only=True)
    try:
        stored = set(lite.list_ids())
        for table in catalog.tables:
            assert table.urn in stored, table.qualified_name
            entity = lite.get(table.urn, None, typed=False)
            fields = [field["fieldPath"] for field in entity["schemaMetadata"]["fields"]]
            assert fields == [column.name for column in table.columns]
            assert entity["datasetProperties"]["customProperties"]["layer"] == table.layer
    finally:
        lite.close()


def test_artist_summary_column_lineage_reaches_silver_columns(lite_home: Path) -> None:
    lite = open_lite(lite_home, read_only=True)
    try:
        catalog_urn = (
            "urn:li:dataset:(urn:li:dataPlatform:postgres,spotify_assets.gold.artist_summary,PROD)"
        )
        lineage = lite.get(catalog_urn, ["upstreamLineage"], typed=False)["upstreamLineage"]
    finally:
        lite.close()
    fine = lineage["fineGrainedLineages"]
    by_column = {entry["downstreams"][0]: entry["upstreams"] for entry in fine}
    artist_id = make_schema_field_urn(catalog_urn, "artist_id")
    assert artist_id in by_column
    upstream = [urn for urns in by_column.values() for urn in urns]
    assert any("spotify_assets.silver." in urn for urn in upstream)
    assert all("spotify_assets.bronze." not in urn for urn in by_column[artist_id])


def test_check_results_are_in_lite(lite_home: Path, catalog: Catalog) -> None:
    lite = open_lite(lite_home, read_only=True)
    try:
        events = [
            lite.get(urn, None, typed=False)
            for urn in lite.list_ids()
            if urn.startswith("urn:li:assertion:")
        ]
    finally:
        lite.close()
    evaluated = sum(1 for table in catalog.tables for check in table.checks if check.latest)
    assert evaluated > 0
    with_results = [e for e in events if "assertionRunEvent" in e]
    assert len(with_results) == evaluated
    assert {e["assertionRunEvent"]["result"]["type"] for e in with_results} <= {
        "SUCCESS",
        "FAILURE",
    }


def test_the_mcp_file_passes_datahub_check(catalog: Catalog, tmp_path: Path) -> None:
    path = Path(write_file(catalog_mcps(catalog), tmp_path / "mcps.json"))
    env = {**os.environ, "HOME": str(tmp_path), "DATAHUB_TELEMETRY_ENABLED": "false"}
    checked = subprocess.run(
        [sys.executable, "-m", "datahub", "check", "metadata-file", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_mcps_match_the_golden_file(catalog: Catalog, tmp_path: Path) -> None:
    path = Path(write_file(catalog_mcps(catalog), tmp_path / "mcps.json"))
    if os.environ.get(UPDATE_GOLDEN_ENV):
        GOLDEN.write_text(path.read_text())
    diff = diff_metadata_json(load_json_file(path), load_json_file(GOLDEN), VOLATILE)
    assert not diff, (
        f"The DataHub export changed; if that is intended, regenerate the golden file with "
        f"{UPDATE_GOLDEN_ENV}=1 pytest {Path(__file__).name} -k golden\n{diff.pretty()}"
    )


def test_a_later_run_sends_everything_to_the_gms_keeping_the_token_out(
    fresh: Pipeline, down_run, monkeypatch, capfd
) -> None:
    with run_stub_gms() as gms:
        monkeypatch.setenv(URL_ENV, gms.url)
        monkeypatch.setenv(TOKEN_ENV, TOKEN)
        datahub = DataHubResource(target="rest", url=EnvVar(URL_ENV), token=EnvVar(TOKEN_ENV))
        result = fresh.run(catalog_job.name, datahub)
    assert result.success
    assert {r.path for r in gms.requests} == {"/config", "/aspects?action=ingestProposalBatch"}
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in gms.requests)
    # Executed in process, catalog_job knows no other job, so no data job outputs a table here.
    expected = [m for m in catalog_mcps(fresh.catalog()) if m.entityType not in JOB_ENTITIES]
    proposals = [p for p in gms.proposals() if p["entityType"] not in JOB_ENTITIES]
    assert {(p["entityType"], p["aspectName"]) for p in proposals} == {
        (m.entityType, m.aspectName) for m in expected
    }
    assert {p["entityUrn"] for p in proposals} == {m.entityUrn for m in expected}
    run = fresh.instance.get_run_by_id(result.run_id)
    logs = "".join(
        json.dumps(str(entry), default=str) for entry in fresh.instance.all_logs(result.run_id)
    )
    out, err = capfd.readouterr()
    assert TOKEN not in str(run.run_config) + logs + out + err


def test_catalog_serve_answers_lineage_on_loopback_until_ctrl_c(lite_home: Path) -> None:
    port = _free_port()
    cli = Path(sys.executable).with_name("spotify-assets")
    env = {**os.environ, "SPOTIFY_ASSETS_HOME": str(lite_home)}
    server = subprocess.Popen(
        [str(cli), "catalog", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    urn = "urn:li:dataset:(urn:li:dataPlatform:postgres,spotify_assets.gold.artist_summary,PROD)"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                listed = requests.get(f"http://127.0.0.1:{port}/entities", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.3)
        assert urn in listed.json()
        found = requests.get(
            f"http://127.0.0.1:{port}/search", params={"query": "artist_summary"}, timeout=5
        ).json()
        assert urn in {entry["id"] for entry in found}
    finally:
        os.killpg(server.pid, signal.SIGINT)
        output, _ = server.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}" in output


def test_catalog_get_reads_a_tables_lineage(lite_home: Path) -> None:
    urn = "urn:li:dataset:(urn:li:dataPlatform:postgres,spotify_assets.gold.artist_summary,PROD)"
    cli = Path(sys.executable).with_name("spotify-assets")
    got = subprocess.run(
        [str(cli), "catalog", "get", urn, "--aspect", "upstreamLineage"],
        env={**os.environ, "SPOTIFY_ASSETS_HOME": str(lite_home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert got.returncode == 0, got.stderr
    lineage = json.loads(got.stdout)["upstreamLineage"]
    assert any("spotify_assets.silver." in up["dataset"] for up in lineage["upstreams"])
