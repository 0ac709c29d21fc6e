"""This project beside dlt's ``rest_api`` source on the same work (`make bench-vs-dlt`).

One sandbox (extended mode, ``--artists`` artists, ``--latency`` seconds per answer) and one
PostgreSQL (SPOTIFY_ASSETS_DATABASE_URL or the embedded server). Every artist and playlist of the
catalog is watched. In each round, in an order that rotates from round to round:

- ``project``: this project's first run (bronze, silver, gold), then its no-change re-run;
- ``dlt_nested``: dlt's ``rest_api`` source with dlt's defaults (nested child tables);
- ``dlt_json``: the same with ``max_table_nesting=0`` (nested values kept as JSON).

Each run is a process of its own, so its peak RSS is its own; API requests are what the sandbox
served (tokens included). dlt fetches the same endpoints with the same batching and page sizes:
artists 50 ids a call, each artist's albums (10 a page), albums 20 ids a call, album track pages
after the embedded first one, and every playlist and its items. dlt has no batching of ids
found by a parent resource, so it runs in three ``pipeline.run`` phases, each seeded from what the
previous phase loaded (what a dlt user would write).

Tables live in ``benchdlt<pid>_*`` schemas, dropped at the end.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit, urlunsplit

import psycopg
import yaml
from dagster import DagsterInstance, materialize

from spotify_assets import settings
from spotify_assets.sandbox import Catalog, SandboxConfig
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.benchmarks.bench_pipeline import PIPELINE, Sandbox, rows_per_layer
from spotify_assets_tests.fixtures.pipeline import pipeline_resources

PREFIX = "benchdlt_"  # a run's schemas are benchdlt<pid>_*, so runs may overlap
SIDES = ("project", "dlt_nested", "dlt_json")
MARKET = "US"
INCLUDE_GROUPS = "album,single,appears_on,compilation"


def _postgres(schema_prefix: str) -> PostgresResource:
    return PostgresResource(
        url=settings.database_url(), home=str(settings.project_home()), schema_prefix=schema_prefix
    )


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _chunks(ids: list[str], size: int) -> list[dict[str, str]]:
    return [{"ids": ",".join(ids[i : i + size])} for i in range(0, len(ids), size)]


# --- the sides, each run in a child process -------------------------------------------------------


def run_project(sandbox: Sandbox, args: argparse.Namespace) -> dict:
    """One pipeline run (first or no-change, depending on what the schemas already hold)."""
    catalog = Catalog(seed=SandboxConfig().seed, artists=args.artists)
    watchlist = Path(args.folder) / "watchlist.yaml"
    watchlist.write_text(
        yaml.safe_dump({"artists": catalog.artist_ids(), "playlists": catalog.playlist_ids()})
    )
    postgres = _postgres(f"{args.prefix}project_")
    resources = pipeline_resources(
        sandbox, postgres, watchlist=watchlist, max_concurrency=args.concurrency
    )
    storage = Path(args.folder) / "dagster"  # kept for the re-run, as a user's instance is
    storage.mkdir(exist_ok=True)
    instance = DagsterInstance.local_temp(tempdir=str(storage))
    result = materialize(PIPELINE, resources=resources, instance=instance)
    assert result.success, "the project's run failed"
    return {"rows": sum(rows_per_layer(result).values()), "api_seconds": _api_seconds(result)}


def _api_seconds(result) -> float:
    """The API phase: each bronze step's first request to its last answer, summed."""
    return round(
        sum(
            event.materialization.metadata["api_stats"].value["wall_seconds"]
            for event in result.get_asset_materialization_events()
            if "api_stats" in event.materialization.metadata
        ),
        1,
    )


def _dlt_source(sandbox: Sandbox, resources: list, nesting: int | None):
    from dlt.sources.rest_api import rest_api_source

    config = {
        "client": {
            "base_url": f"{sandbox.api_url}/",
            "auth": {
                "type": "oauth2_client_credentials",
                "access_token_url": sandbox.token_url,
                "client_id": sandbox.client_id,
                "client_secret": sandbox.client_secret,
            },
            "paginator": {"type": "json_link", "next_url_path": "next"},
        },
        "resource_defaults": {"write_disposition": "append"},
        "resources": resources,
    }
    return rest_api_source(config, name="spotify", max_table_nesting=nesting)


def _seed(name: str, rows: list[dict]):
    """Parent rows of a dependent resource, as one page (dependent resources take pages)."""
    import dlt

    def page():
        yield rows

    return dlt.resource(page, name=name, selected=False)


def _batch(name: str, seed: str, key: str) -> dict:
    """A batch get (``/artists?ids=``, ``/albums?ids=``) of each seed row's ids."""
    return {
        "name": name,
        "endpoint": {
            "path": name,
            "params": {
                "ids": f"{{resources.{seed}.ids}}",
                **({"market": MARKET} if name == "albums" else {}),
            },
            "data_selector": key,
            "paginator": "single_page",
        },
    }


def run_dlt(sandbox: Sandbox, args: argparse.Namespace) -> dict:
    import dlt

    catalog = Catalog(seed=SandboxConfig().seed, artists=args.artists)
    nesting = 0 if args.side == "dlt_json" else None
    dataset = f"{args.prefix}{args.side}"
    url = _postgres(args.prefix).target_url
    parts = urlsplit(url)
    # dlt insists on a password; a server that trusts local users ignores the one made up here.
    dlt_url = (
        url
        if parts.password
        else urlunsplit(
            parts._replace(
                netloc=f"{parts.username or 'postgres'}:unused@{parts.hostname}:{parts.port or 5432}"
            )
        )
    )
    pipeline = dlt.pipeline(
        pipeline_name=dataset,
        pipelines_dir=str(Path(args.folder) / "dlt"),
        destination=dlt.destinations.postgres(credentials=dlt_url),
        dataset_name=dataset,
    )
    playlists = [{"id": p} for p in catalog.playlist_ids()]
    artists = catalog.artist_ids()
    listing = [
        _seed("artist_batches", _chunks(artists, 50)),
        _seed("artist_ids", [{"id": a} for a in artists]),
        _seed("playlist_ids", playlists),
        _batch("artists", "artist_batches", "artists"),
        {
            "name": "artist_albums",
            "endpoint": {
                "path": "artists/{resources.artist_ids.id}/albums",
                "params": {"include_groups": INCLUDE_GROUPS, "market": MARKET, "limit": 10},
                "data_selector": "items",
            },
            "include_from_parent": ["id"],
        },
        {
            "name": "playlists",
            "endpoint": {
                "path": "playlists/{resources.playlist_ids.id}",
                "params": {"market": MARKET, "additional_types": "track,episode"},
                "paginator": "single_page",
            },
        },
        {
            "name": "playlist_items",
            "endpoint": {
                "path": "playlists/{resources.playlist_ids.id}/items",
                "params": {"market": MARKET, "additional_types": "track,episode", "limit": 50},
                "data_selector": "items",
            },
            "include_from_parent": ["id"],
        },
    ]
    pipeline.run(_dlt_source(sandbox, listing, nesting))
    with psycopg.connect(url) as conn:
        album_ids = [
            r[0]
            for r in conn.execute(f'select distinct id from "{dataset}".artist_albums order by 1')
        ]
    albums = [
        _seed("album_batches", _chunks(album_ids, 20)),
        _batch("albums", "album_batches", "albums"),
    ]
    pipeline.run(_dlt_source(sandbox, albums, nesting))
    with psycopg.connect(url) as conn:
        long_albums = [
            {"id": r[0]}
            for r in conn.execute(
                f'select id from "{dataset}".albums where total_tracks > 50 order by 1'
            )
        ]
    tracks = [
        _seed("long_albums", long_albums),
        {
            "name": "album_tracks",
            "endpoint": {
                "path": "albums/{resources.long_albums.id}/tracks",
                "params": {"market": MARKET, "limit": 50, "offset": 50},
                "data_selector": "items",
            },
            "include_from_parent": ["id"],
        },
    ]
    if long_albums:
        pipeline.run(_dlt_source(sandbox, tracks, nesting))
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables where table_schema = %s "
            "and not starts_with(table_name, '_dlt')",
            [dataset],
        ).fetchall()
        rows = sum(
            conn.execute(f'select count(*) from "{dataset}"."{t}"').fetchone()[0] for (t,) in tables
        )
    return {"rows": rows, "tables": len(tables)}


def child(args: argparse.Namespace) -> None:
    sandbox = Sandbox(args.base_url)
    figures = run_project(sandbox, args) if args.side == "project" else run_dlt(sandbox, args)
    print(json.dumps({**figures, "peak_rss_mb": _peak_rss_mb()}))


# --- the driver --------------------------------------------------------------------------------


def _drop_schemas(prefix: str) -> None:
    with _postgres(prefix).get_connection() as conn:
        for (schema,) in conn.execute(
            "select nspname from pg_namespace where starts_with(nspname, %s)", [prefix]
        ).fetchall():
            conn.execute(f'drop schema "{schema}" cascade')


def _run_child(
    sandbox: Sandbox, side: str, folder: Path, args: argparse.Namespace, concurrency: int
) -> dict:
    sandbox.reset_stats()
    command = [
        sys.executable,
        "-m",
        __spec__.name,
        "--side",
        side,
        "--base-url",
        sandbox.base_url,
        "--folder",
        str(folder),
        "--artists",
        str(args.artists),
        "--concurrency",
        str(concurrency),
        "--prefix",
        args.prefix,
    ]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-4000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {**figures, "wall_seconds": round(wall, 1), "api_requests": sandbox.stats()["total"]}


def bench(args: argparse.Namespace) -> dict[str, list[dict]]:
    sandbox = Sandbox.serve("extended", args.artists, latency=args.latency)
    runs: dict[str, list[dict]] = {}
    try:
        for round_ in range(args.rounds):
            sides = [side for side in SIDES if side in args.sides]
            order = sides[round_ % len(sides) :] + sides[: round_ % len(sides)]
            _drop_schemas(args.prefix)
            for side in order:
                if side != "project":
                    with tempfile.TemporaryDirectory() as folder:
                        runs.setdefault(side, []).append(
                            _run_child(sandbox, side, Path(folder), args, 1)
                        )
                    print(f"round {round_ + 1}: {side} done", file=sys.stderr)
                    continue
                turn = round_ % len(args.concurrency)
                for k in args.concurrency[turn:] + args.concurrency[:turn]:
                    _drop_schemas(f"{args.prefix}project_")  # each count starts from nothing
                    label = "" if len(args.concurrency) == 1 else f"_{k}_in_flight"
                    with tempfile.TemporaryDirectory() as folder:
                        for run in ("first", "rerun"):
                            runs.setdefault(f"project_{run}{label}", []).append(
                                _run_child(sandbox, side, Path(folder), args, k)
                            )
                    print(f"round {round_ + 1}: project, {k} in flight, done", file=sys.stderr)
    finally:
        sandbox.stop()
        _drop_schemas(args.prefix)
    return runs


def table(runs: dict[str, list[dict]], args: argparse.Namespace) -> str:
    base_name = "dlt_json" if "dlt_json" in runs else next(iter(runs))
    baseline = runs[base_name]
    base = median(r["wall_seconds"] for r in baseline)
    lines = [
        f"{args.artists} artists, latency {args.latency} s, {args.rounds} round(s), "
        f"{'/'.join(map(str, args.concurrency))} requests in flight (project); medians",
        f"| run | wall s | x {base_name} wall | API s | API requests | rows | peak RSS MB | "
        f"x {base_name} RSS |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    base_rss = median(r["peak_rss_mb"] for r in baseline)
    for name, results in runs.items():
        wall = median(r["wall_seconds"] for r in results)
        rss = median(r["peak_rss_mb"] for r in results)
        lines.append(
            f"| {name} | {wall:.1f} | {wall / base:.2f} | "
            f"{median(r.get('api_seconds', float('nan')) for r in results):.1f} | "
            f"{median(r['api_requests'] for r in results):.0f} | "
            f"{median(r['rows'] for r in results):,.0f} | {rss:.0f} | {rss / base_rss:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per API answer")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[4],
        help="the project's requests in flight; several values are run in turn, in one round",
    )
    parser.add_argument("--sides", nargs="+", choices=SIDES, default=list(SIDES))
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default=PREFIX, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        args.concurrency = args.concurrency[0]
        child(args)
        return
    args.prefix = f"{PREFIX.rstrip('_')}{os.getpid()}_"
    runs = bench(args)
    print(table(runs, args))
    print(json.dumps(runs))


if __name__ == "__main__":
    main()
