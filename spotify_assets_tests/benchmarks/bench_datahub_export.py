"""Benchmark of the DataHub export (`make bench-datahub`): the default and a 1,000-artist catalog.

For each size, a sandbox process serves that many artists, every artist and playlist is watched,
and bronze + silver + gold are materialized once (not timed). Then, timed separately: building the
catalog model (warehouse column types, SQL lineage, the event log's counts and checks), turning it
into MCPs, writing them to DataHub Lite, and writing the MCP file. The export reads counts from
Dagster's event log and column types from PostgreSQL's catalog, never table rows.
"""

import argparse
import tempfile
import time
from pathlib import Path

import yaml
from dagster import DagsterInstance, Definitions, materialize

from spotify_assets import settings
from spotify_assets.assets.catalog import catalog_assets
from spotify_assets.assets.report import report_assets
from spotify_assets.catalog.build import build_catalog
from spotify_assets.catalog.datahub_mcps import catalog_mcps
from spotify_assets.catalog.datahub_sinks import write_file, write_lite
from spotify_assets.catalog.datahub_target import DataHubResource
from spotify_assets.sandbox import Catalog, SandboxConfig
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.benchmarks.bench_pipeline import PIPELINE, Sandbox
from spotify_assets_tests.conftest import drop_schemas
from spotify_assets_tests.fixtures.pipeline import pipeline_resources


def _timed(figures: dict, name: str, fn):
    started = time.perf_counter()
    value = fn()
    figures[name] = round(time.perf_counter() - started, 3)
    return value


def bench(artists: int, folder: Path) -> dict:
    catalog = Catalog(seed=SandboxConfig().seed, artists=artists)
    watchlist = folder / f"watchlist-{artists}.yaml"
    watchlist.write_text(
        yaml.safe_dump({"artists": catalog.artist_ids(), "playlists": catalog.playlist_ids()})
    )
    postgres = PostgresResource(
        url=settings.database_url(),
        home=str(settings.project_home()),
        schema_prefix=f"benchdh{artists}_",
    )
    sandbox = Sandbox("extended", artists)
    figures: dict = {"artists": artists}
    try:
        resources = pipeline_resources(sandbox, postgres, watchlist=watchlist)
        instance = DagsterInstance.ephemeral()
        assert materialize(PIPELINE, resources=resources, instance=instance).success
        defs = Definitions(
            assets=[*PIPELINE, *report_assets, *catalog_assets],
            resources={**resources, "datahub": DataHubResource()},
        )
        model = _timed(figures, "build_s", lambda: build_catalog(defs, postgres, instance=instance))
        mcps = _timed(figures, "mcps_s", lambda: catalog_mcps(model))
        _timed(figures, "lite_s", lambda: write_lite(mcps, folder / f"home{artists}"))
        _timed(figures, "file_s", lambda: write_file(mcps, folder / f"mcps{artists}.json"))
        figures["aspects"] = len(mcps)
        figures["rows"] = sum((t.observed.row_count or 0) for t in model.tables if t.observed)
    finally:
        sandbox.stop()
        drop_schemas(postgres.target_url, postgres.schema_prefix)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, nargs="+", default=[20, 1000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for artists in args.artists:
            print(bench(artists, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
