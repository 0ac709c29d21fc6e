"""Benchmark of the whole pipeline against a large sandbox catalog (`make bench-pipeline`).

For each ``--artists`` count and app mode, a sandbox of that size runs in its own process (so it
does not share the pipeline's interpreter), every artist and playlist is watched, and bronze +
silver + gold are materialized twice: a first run, then a run with nothing new. Each count and mode
runs in a process of its own, so each peak resident memory is that pipeline's alone: not what an
earlier, smaller run left allocated, nor the catalog this process walks for the minimum request
counts. Printed per run: wall time, time in each layer (bronze steps; silver and gold SQL builds
separately), API calls against the minimum the mode allows (computed from the catalog), rows per
layer, the SQL tables rebuilt (the others reused their build) and the peak resident memory.
For the first run, where its time went (``phases.py``): HTTP round trips, JSON decode, hashing,
Arrow conversion, COPY, garbage collection, each SQL table's build and checks, start-up and
Dagster's time between steps; for the no-change run, its slowest steps; plus a fresh process's
start-up with the code location imported. With several ``--artists`` counts, a scale table per mode flags what grows faster than the catalog.

Runs against SPOTIFY_ASSETS_DATABASE_URL or the embedded server; tables live in ``benchpipe_*``
schemas, dropped at the end.
"""

import argparse
import contextlib
import json
import math
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import requests
import yaml
from dagster import DagsterInstance, materialize

from spotify_assets import settings
from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.gold import gold_assets
from spotify_assets.assets.silver import silver_assets
from spotify_assets.sandbox import Catalog, SandboxConfig
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.benchmarks.phases import (
    PhaseTimer,
    import_seconds,
    orchestration_seconds,
    sql_table_seconds,
    step_spans,
)
from spotify_assets_tests.fixtures.pipeline import pipeline_resources

PIPELINE = [*bronze_assets, *silver_assets, *gold_assets]
# Page caps the client uses in each mode (SPOTIFY_API.md).
ARTIST_ALBUMS_PAGE, ALBUM_TRACKS_PAGE, ITEMS_PAGE = 10, 50, 50


class Sandbox:
    """A `spotify-assets sandbox serve` process (or one already running at ``base_url``); the
    attributes pipeline_resources needs."""

    client_id, client_secret = SandboxConfig().client_id, SandboxConfig().client_secret

    def __init__(self, base_url: str, process: subprocess.Popen | None = None) -> None:
        self.base_url, self.process = base_url, process
        self.api_url, self.token_url = f"{base_url}/v1", f"{base_url}/api/token"

    @classmethod
    def serve(cls, mode: str, artists: int, *, latency: float = 0.0) -> "Sandbox":
        """A new sandbox process; ``latency`` seconds are added before every API answer."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        cli = Path(sys.executable).parent / "spotify-assets"
        command = [
            str(cli),
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--mode",
            mode,
            "--artists",
            str(artists),
            "--latency",
            str(latency),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sandbox = cls(f"http://127.0.0.1:{port}", process)
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{sandbox.base_url}/_sandbox/health", timeout=1).raise_for_status()
                return sandbox
            except requests.RequestException:
                if time.monotonic() > deadline:
                    sandbox.stop()
                    raise
                time.sleep(0.2)

    def stats(self) -> dict:
        return requests.get(f"{self.base_url}/_sandbox/stats", timeout=10).json()

    def reset_stats(self) -> None:
        requests.post(
            f"{self.base_url}/_sandbox/stats/reset", json={}, timeout=10
        ).raise_for_status()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)


def minimum_calls(catalog: Catalog, mode: str) -> dict[str, int]:
    """The fewest API requests a first run can make (tokens aside), from the catalog alone."""
    artists = catalog.artist_ids()
    listings = {a: catalog.artist_albums(a) for a in artists}
    album_ids = {entry.album.id for entries in listings.values() for entry in entries}
    own = {p.id for p in catalog.user_playlists(catalog.own_user.id)}
    playlists = catalog.playlist_ids()
    readable = playlists if mode == "extended" else [p for p in playlists if p in own]
    calls = {
        "artists": math.ceil(len(artists) / 50) if mode == "extended" else len(artists),
        "artist_albums": sum(
            max(1, math.ceil(len(e) / ARTIST_ALBUMS_PAGE)) for e in listings.values()
        ),
        "albums": math.ceil(len(album_ids) / 20) if mode == "extended" else len(album_ids),
        "album_tracks": sum(
            math.ceil((catalog.album(a).total_tracks - 50) / ALBUM_TRACKS_PAGE)
            for a in album_ids
            if catalog.album(a).total_tracks > 50
        ),
        "playlists": len(playlists),
        "playlist_items": sum(
            max(1, math.ceil(len(catalog.playlist_items(p)) / ITEMS_PAGE)) for p in readable
        )
        + (len(playlists) - len(readable)),  # one refused call for each unreadable playlist
    }
    calls["total"] = sum(calls.values())
    return calls


def layer_seconds(instance: DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds spent in each layer's steps (start to end), summed."""
    spent = defaultdict(float)
    for step_key, start, end in step_spans(instance, run_id)[0]:
        spent[step_key.split("__")[0]] += end - start
    return {layer: round(seconds, 2) for layer, seconds in spent.items()}


def slowest_steps(instance: DagsterInstance, run_id: str, count: int = 8) -> dict[str, float]:
    """The run's longest steps, longest first: where a no-change run's time goes."""
    spans, _ = step_spans(instance, run_id)
    seconds = sorted(((end - start, key) for key, start, end in spans), reverse=True)
    return {key: round(duration, 2) for duration, key in seconds[:count]}


def sql_build_seconds(result) -> dict[str, float]:
    totals = defaultdict(float)
    for event in result.get_asset_materialization_events():
        seconds = event.materialization.metadata.get("build_seconds")
        if seconds is not None:
            totals[event.asset_key.path[0]] += seconds.value
    return {layer: round(seconds, 2) for layer, seconds in totals.items()}


def rows_per_layer(result) -> dict[str, int]:
    rows = defaultdict(int)
    for event in result.get_asset_materialization_events():
        count = event.materialization.metadata.get("dagster/row_count")
        if count is not None:
            rows[event.asset_key.path[0]] += count.value
    return dict(rows)


def reset_peak_rss() -> None:
    """Start measuring this process's peak resident memory afresh (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float | None:
    """This process's peak resident memory since the last reset (VmHWM), in MB."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def rebuilt_tables(result) -> int:
    return sum(
        bool(event.materialization.metadata["rebuilt"].value)
        for event in result.get_asset_materialization_events()
        if "rebuilt" in event.materialization.metadata
    )


def bench_mode(mode: str, artists: int, folder: Path) -> dict:
    catalog = Catalog(seed=SandboxConfig().seed, artists=artists)
    watchlist = folder / f"watchlist-{mode}.yaml"
    watchlist.write_text(
        yaml.safe_dump({"artists": catalog.artist_ids(), "playlists": catalog.playlist_ids()})
    )
    postgres = PostgresResource(
        url=settings.database_url(),
        home=str(settings.project_home()),
        schema_prefix=f"benchpipe_{mode}_",
    )
    sandbox = Sandbox.serve(mode, artists)
    figures: dict = {"mode": mode, "artists": artists}
    try:
        resources = pipeline_resources(sandbox, postgres, watchlist=watchlist)
        instance = DagsterInstance.ephemeral()
        for run in ("first", "no_change"):
            sandbox.reset_stats()
            reset_peak_rss()
            called_at, started = time.time(), time.monotonic()
            with PhaseTimer().active() as phases:
                result = materialize(PIPELINE, resources=resources, instance=instance)
            # Read before the figures are gathered, which allocate too.
            peak_rss = peak_rss_mb()
            assert result.success, f"{mode} {run} run failed"
            stats = sandbox.stats()
            figures[run] = {
                "wall_seconds": round(time.monotonic() - started, 1),
                "step_seconds": layer_seconds(instance, result.run_id),
                "sql_build_seconds": sql_build_seconds(result),
                "phases": phases.summary(),
                "orchestration": orchestration_seconds(instance, result.run_id, called_at),
                "slowest_steps": slowest_steps(instance, result.run_id),
                "sql_table_seconds": sql_table_seconds(result),
                "api_requests": stats["total"],
                "api_requests_by_endpoint": stats["endpoints"],
                "rows": rows_per_layer(result),
                "sql_tables_rebuilt": rebuilt_tables(result),
                "peak_rss_mb": peak_rss,
            }
    finally:
        sandbox.stop()
        with postgres.get_connection() as conn:
            for schema in conn.execute(
                "select nspname from pg_namespace where starts_with(nspname, %s)",
                [postgres.schema_prefix],
            ).fetchall():
                conn.execute(f'drop schema "{schema[0]}" cascade')
    return figures


def print_breakdown(run: dict) -> None:
    """The first run's phases (overlapping: wall time with a call running, summed call time)."""
    print(f"  where the first run's {run['wall_seconds']} s went (phases overlap):")
    for name, phase in run["phases"].items():
        print(
            f"    {name:<42} {phase['wall_seconds']:>7.1f} s wall, "
            f"{phase['summed_seconds']:>7.1f} s summed, {phase['calls']:,} calls"
        )
    orchestration = run["orchestration"]
    print(f"    {'start-up (call to first step)':<42} {orchestration['start_up_seconds']:>7.1f} s")
    print(
        f"    {'Dagster between steps (storage, hand-offs)':<42} "
        f"{orchestration['dagster_between_steps_seconds']:>7.1f} s"
    )
    for table, seconds in run["sql_table_seconds"].items():
        print(
            f"    SQL {table:<38} {seconds['build']:>7.2f} s build, {seconds['checks']:>6.2f} s checks"
        )


def print_scale(all_figures: list[dict]) -> None:
    """Per mode, how the first run's wall time, requests and peak RSS grow with the catalog;
    growth beyond the catalog's (more than 1.2x its ratio) is flagged."""
    for mode in dict.fromkeys(figures["mode"] for figures in all_figures):
        runs = sorted((f for f in all_figures if f["mode"] == mode), key=lambda f: f["artists"])
        if len(runs) < 2:
            continue
        print(f"\nscale, {mode} mode (first run; growth from the previous size)")
        print(f"  {'artists':>8} {'wall s':>9} {'requests':>9} {'peak RSS MB':>12}")
        for previous, run in zip([None, *runs], runs, strict=False):
            first = run["first"]
            cells = (first["wall_seconds"], first["api_requests"], first["peak_rss_mb"])
            line = f"  {run['artists']:>8,} {cells[0]:>9.1f} {cells[1]:>9,} {cells[2]:>12.1f}"
            if previous is not None:
                catalog = run["artists"] / previous["artists"]
                before = previous["first"]
                growth = [
                    now / then
                    for now, then in zip(
                        cells,
                        (before["wall_seconds"], before["api_requests"], before["peak_rss_mb"]),
                        strict=True,
                    )
                ]
                flags = [
                    name
                    for name, ratio in zip(("wall", "requests", "RSS"), growth, strict=True)
                    if ratio > 1.2 * catalog
                ]
                line += f"   x{catalog:g} catalog: " + ", ".join(
                    f"{name} x{ratio:.2f}"
                    for name, ratio in zip(("wall", "requests", "RSS"), growth, strict=True)
                )
                line += f"  WORSE THAN LINEAR: {', '.join(flags)}" if flags else ""
            print(line)


def bench_in_process_of_its_own(mode: str, artists: int, folder: Path) -> dict:
    """``bench_mode`` in a new process (``--one``), with the minimum request counts added here."""
    out = folder / f"figures-{mode}-{artists}.json"
    command = [sys.executable, "-m", __spec__.name, "--one", mode, str(artists), "--out", str(out)]
    subprocess.run(command, check=True)
    figures = json.loads(out.read_text())
    catalog = Catalog(seed=SandboxConfig().seed, artists=artists)
    figures["minimum_calls"] = minimum_calls(catalog, mode)
    # A run with nothing new: one album-count probe per artist, one read per playlist.
    figures["minimum_no_change_calls"] = len(catalog.artist_ids()) + len(catalog.playlist_ids())
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, nargs="+", default=[1000])
    parser.add_argument("--modes", nargs="+", default=["extended", "development"])
    parser.add_argument("--one", nargs=2, metavar=("MODE", "ARTISTS"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.one:
            mode, artists = args.one[0], int(args.one[1])
            args.out.write_text(json.dumps(bench_mode(mode, artists, Path(folder)), default=str))
            return
        all_figures = []
        for artists in sorted(args.artists):
            for mode in args.modes:
                figures = bench_in_process_of_its_own(mode, artists, Path(folder))
                all_figures.append(figures)
                print_run(figures)
    print_scale(all_figures)
    print(f"\nprocess start-up with the code location imported: {import_seconds()} s")
    print(json.dumps(all_figures, default=str))


def print_run(figures: dict) -> None:
    first, again = figures["first"], figures["no_change"]
    print(f"\n{figures['mode']} mode, {figures['artists']} artists")
    print(
        f"  first run: {first['wall_seconds']} s wall; steps {first['step_seconds']}; "
        f"SQL builds {first['sql_build_seconds']}"
    )
    print(
        f"  API requests: {first['api_requests']} (minimum {figures['minimum_calls']['total']} "
        f"+ tokens); minimum by family {figures['minimum_calls']}"
    )
    print(f"  rows: {first['rows']}; peak RSS {first['peak_rss_mb']} MB")
    print_breakdown(first)
    print(
        f"  no-change run: {again['wall_seconds']} s wall "
        f"({again['wall_seconds'] / first['wall_seconds']:.1%} of the first), "
        f"{again['api_requests']} API requests (minimum {figures['minimum_no_change_calls']} "
        f"+ tokens); steps {again['step_seconds']}; "
        f"SQL tables rebuilt {again['sql_tables_rebuilt']} of {first['sql_tables_rebuilt']}; "
        f"slowest steps {again['slowest_steps']}; "
        f"peak RSS {again['peak_rss_mb']} MB",
        flush=True,
    )


if __name__ == "__main__":
    main()
