"""Benchmark of the silver and gold builds over large bronze catalogs (`make bench-silver-10k`).

For each ``--artists`` count (default 1,000 then 10,000, in the same run so their ratio compares
like with like), a sandbox of that size runs in its own process (extended mode, no latency), every
artist and playlist is watched, and bronze is filled the project's real way: the bronze assets
fetching over HTTP, at ``--concurrency`` requests in flight (the resource's maximum, 32). That part
is setup and is reported, not compared. Then silver and gold are materialized over that bronze and
each SQL table's build time (its ``build_seconds`` metadata: the build's SQL alone) is printed,
with the ratio between the largest and the smallest catalog.

Runs against SPOTIFY_ASSETS_DATABASE_URL or the embedded server; tables live in
``benchsilver_*`` schemas, dropped at the end.
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import yaml
from dagster import AssetSelection, DagsterInstance, materialize

from spotify_assets import settings
from spotify_assets.sandbox import Catalog, SandboxConfig
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.benchmarks.bench_pipeline import PIPELINE, Sandbox, rows_per_layer
from spotify_assets_tests.fixtures.pipeline import pipeline_resources


def build_seconds(result) -> dict[str, float]:
    """Each SQL table's build time, by asset key (``silver/albums``)."""
    return {
        event.asset_key.to_user_string(): round(event.materialization.metadata[key].value, 3)
        for event in result.get_asset_materialization_events()
        for key in ("build_seconds",)
        if key in event.materialization.metadata
    }


def bench_catalog(artists: int, concurrency: int, folder: Path) -> dict:
    catalog = Catalog(seed=SandboxConfig().seed, artists=artists)
    watchlist = folder / f"watchlist-{artists}.yaml"
    watchlist.write_text(
        yaml.safe_dump({"artists": catalog.artist_ids(), "playlists": catalog.playlist_ids()})
    )
    postgres = PostgresResource(
        url=settings.database_url(),
        home=str(settings.project_home()),
        schema_prefix=f"benchsilver_{artists}_",
    )
    sandbox = Sandbox.serve("extended", artists)
    try:
        resources = pipeline_resources(
            sandbox, postgres, watchlist=watchlist, max_concurrency=concurrency
        )
        instance = DagsterInstance.ephemeral()
        started = time.monotonic()
        bronze = materialize(
            PIPELINE,
            selection=AssetSelection.groups("bronze"),
            resources=resources,
            instance=instance,
        )
        assert bronze.success, f"bronze fill at {artists} artists failed"
        fill_seconds = time.monotonic() - started
        started = time.monotonic()
        built = materialize(
            PIPELINE,
            selection=AssetSelection.groups("silver", "gold"),
            resources=resources,
            instance=instance,
        )
        assert built.success, f"silver/gold at {artists} artists failed"
        return {
            "artists": artists,
            "bronze_fill_seconds": round(fill_seconds, 1),
            "bronze_rows": rows_per_layer(bronze).get("bronze", 0),
            "silver_gold_wall_seconds": round(time.monotonic() - started, 1),
            "rows": rows_per_layer(built),
            "build_seconds": build_seconds(built),
        }
    finally:
        sandbox.stop()
        with postgres.get_connection() as conn:
            for (schema,) in conn.execute(
                "select nspname from pg_namespace where starts_with(nspname, %s)",
                [postgres.schema_prefix],
            ).fetchall():
                conn.execute(f'drop schema "{schema}" cascade')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--concurrency", type=int, default=settings.MAX_CONCURRENCY_LIMIT)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for artists in sorted(args.artists):
            runs.append(bench_catalog(artists, args.concurrency, Path(folder)))
            run = runs[-1]
            print(
                f"\n{artists} artists: bronze fill {run['bronze_fill_seconds']} s "
                f"({run['bronze_rows']:,} rows); silver+gold {run['silver_gold_wall_seconds']} s "
                f"wall; rows {run['rows']}",
                flush=True,
            )
            print(json.dumps(run), flush=True)
    small, large = runs[0], runs[-1]
    print(f"\n{'table':<28}" + "".join(f"{r['artists']:>10,} a." for r in runs) + "     ratio")
    for table, seconds in small["build_seconds"].items():
        other = large["build_seconds"].get(table)
        ratio = f"{other / seconds:8.1f}x" if other and seconds else "         -"
        cells = "".join(f"{r['build_seconds'].get(table, float('nan')):>11.2f}s" for r in runs)
        print(f"{table:<28}{cells}{ratio}")
    totals = [sum(r["build_seconds"].values()) for r in runs]
    print(f"{'all SQL builds':<28}" + "".join(f"{t:>11.2f}s" for t in totals), end="")
    print(f"{totals[-1] / totals[0]:8.1f}x" if totals[0] else "")


if __name__ == "__main__":
    main()
