"""Benchmark of the offline Spotify sandbox (`make bench-sandbox`): start-up time and requests/s.

Start-up: how long a 10,000-artist sandbox (about 100k albums and 1M tracks) takes until it
answers an API call, in-process and as a fresh ``serve`` process (interpreter and imports
included); plus the first track search, which builds the million-row search columns.

Throughput: a ``serve`` process answers a mixed workload (a token once, then single and batch
artists, artist-albums pages, albums, album tracks, playlists and playlist items, searches) from
client threads with keep-alive connections in separate processes, so client and server never share
a GIL. Two workloads, each on a fresh server:

- warm: 1,000 distinct requests replayed after one pass over them, so every answer comes from the
  server's caches (what a test suite or a benchmark hitting the same catalog sees);
- first touch: 20,000 distinct requests, nearly all for entities the server has not generated yet
  (what one pass of a pipeline over a big catalog sees).

Reported: requests/s, latency percentiles, the server's CPU time per request, from which its
capacity on one core follows (the clients need the other core here), and the server's resident
memory after the run (what its bounded caches hold by then).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import psutil
import requests

from spotify_assets.sandbox import Catalog, SandboxConfig, SandboxServer
from spotify_assets.sandbox.ids import Kind

SEED = SandboxConfig.seed
CREDENTIALS = (SandboxConfig.client_id, SandboxConfig.client_secret)
SEARCH_WORDS = ("love", "fire", "summer", "noche", "blue", "café", "dreams", "golden", "tokyo")


def _token(token_url: str) -> str:
    response = requests.post(
        token_url, data={"grant_type": "client_credentials"}, auth=CREDENTIALS, timeout=10
    )
    response.raise_for_status()
    return response.json()["access_token"]


def workload(artists: int, count: int, seed: int = 0) -> list[str]:
    """API paths (without the /v1 prefix) in a fixed random mix, ids drawn from the catalog."""
    catalog = Catalog(SEED, artists)
    rng = random.Random(seed)
    artist_ids = catalog.artist_ids()

    def album_id() -> str:
        columns = catalog.album_columns(rng.randrange(artists))
        return catalog.codec.encode(Kind.ALBUM, int(columns.key[rng.randrange(len(columns))]))

    playlists = catalog.playlist_ids()
    mix = [
        (20, lambda: f"/artists/{rng.choice(artist_ids)}"),
        (10, lambda: "/artists?ids=" + ",".join(rng.sample(artist_ids, min(50, artists)))),
        (20, lambda: f"/artists/{rng.choice(artist_ids)}/albums?limit=10&offset={rng.choice((0, 10))}&market=US"),
        (15, lambda: f"/albums/{album_id()}?market=US"),
        (15, lambda: f"/albums/{album_id()}/tracks?limit=50&market=US"),
        (3, lambda: f"/playlists/{rng.choice(playlists)}?market=US"),
        (7, lambda: f"/playlists/{rng.choice(playlists)}/items?limit=50&market=US"),
        (10, lambda: f"/search?q={quote(rng.choice(SEARCH_WORDS))}&type=artist,track&limit=10&offset={rng.choice((0, 10, 20))}"),
    ]  # fmt: skip
    weights = [weight for weight, _ in mix]
    makers = [make for _, make in mix]
    return [rng.choices(makers, weights)[0]() for _ in range(count)]


def _client(args: tuple[str, str, list[str], int, float]) -> tuple[int, int, list[float]]:
    """One client process: ``threads`` threads, each with its own keep-alive connection.

    ``http.client`` rather than ``requests``: reading a 100 kB body costs it a fraction of what
    ``requests`` spends, and the client must not be what is measured.
    """
    api_url, token, paths, threads, seconds = args
    url = urlsplit(api_url)
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + seconds
    results: list[tuple[int, int, list[float]]] = []

    def run(start: int) -> None:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        done, failed, latencies = 0, 0, []
        index = start
        while time.monotonic() < deadline:
            began = time.perf_counter()
            connection.request("GET", url.path + paths[index % len(paths)], headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - began)
            if response.status == 200:
                done += 1
            else:
                failed += 1
            index += 1
        connection.close()
        results.append((done, failed, latencies))

    workers = [
        threading.Thread(target=run, args=(i * len(paths) // threads,)) for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        [latency for r in results for latency in r[2]],
    )


def _serve(artists: int, ready: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "spotify_assets.sandbox", "serve", "--port", "0",
               "--artists", str(artists), "--ready-file", str(ready)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def _wait_ready(process: subprocess.Popen, ready: Path) -> dict:
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox exited with {process.returncode}")
        if ready.exists():
            state = json.loads(ready.read_text())
            try:
                requests.get(state["base_url"] + "/_sandbox/health", timeout=1).raise_for_status()
                return state
            except requests.RequestException:
                pass
        time.sleep(0.005)


def startup(artists: int) -> dict:
    began = time.perf_counter()
    server = SandboxServer(SandboxConfig(artists=artists))
    server.start()
    try:
        token = _token(server.token_url)
        headers = {"Authorization": f"Bearer {token}"}
        artist = server.catalog.artist_ids()[artists // 2]
        requests.get(
            f"{server.api_url}/artists/{artist}", headers=headers, timeout=10
        ).raise_for_status()
        in_process = time.perf_counter() - began
        began = time.perf_counter()
        requests.get(
            f"{server.api_url}/search?q=love&type=track", headers=headers, timeout=60
        ).raise_for_status()
        first_search = time.perf_counter() - began
    finally:
        server.stop()
    with tempfile.TemporaryDirectory() as folder:
        ready = Path(folder) / "ready.json"
        began = time.perf_counter()
        process = _serve(artists, ready)
        try:
            _wait_ready(process, ready)
            as_process = time.perf_counter() - began
        finally:
            process.terminate()
            process.wait(10)
    return {
        "in_process_s": in_process,
        "process_s": as_process,
        "first_track_search_s": first_search,
    }


def _warm_up(api_url: str, token: str, paths: list[str]) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    for path in paths:
        session.get(api_url + path, timeout=60).raise_for_status()


def throughput(artists: int, seconds: float, threads: int, processes: int, *, warm: bool) -> dict:
    paths = workload(artists, 1_000 if warm else 20_000)
    with tempfile.TemporaryDirectory() as folder:
        ready = Path(folder) / "ready.json"
        process = _serve(artists, ready)
        try:
            state = _wait_ready(process, ready)
            token = _token(state["token_url"])
            # Either every request once (warm), or just the searches: their first run builds the
            # search columns, a one-off cost measured by the start-up figures instead.
            searches = [path for path in paths if path.startswith("/search")]
            _warm_up(state["api_url"], token, paths if warm else searches[:20])
            requests.post(state["base_url"] + "/_sandbox/stats/reset", json={}, timeout=5)
            server = psutil.Process(process.pid)
            cpu_before = sum(server.cpu_times()[:2])
            began = time.perf_counter()
            context = multiprocessing.get_context("spawn")
            with context.Pool(processes) as pool:
                outcomes = pool.map(
                    _client,
                    [
                        (state["api_url"], token, paths[i::processes], threads, seconds)
                        for i in range(processes)
                    ],
                )
            elapsed = time.perf_counter() - began
            cpu = sum(server.cpu_times()[:2]) - cpu_before
            rss = server.memory_info().rss
            stats = requests.get(state["base_url"] + "/_sandbox/stats", timeout=5).json()
        finally:
            process.terminate()
            process.wait(10)
    done = sum(o[0] for o in outcomes)
    failed = sum(o[1] for o in outcomes)
    latencies = sorted(latency for o in outcomes for latency in o[2])
    return {
        "requests": done + failed,
        "failed": failed,
        "requests_per_s": (done + failed) / elapsed,
        "latency_ms_p50": 1000 * statistics.median(latencies),
        "latency_ms_p99": 1000 * latencies[int(len(latencies) * 0.99)],
        "server_cpu_us_per_request": 1e6 * cpu / max(1, done + failed),
        "server_capacity_per_core": max(1, done + failed) / cpu if cpu else float("inf"),
        "server_rss_mb": rss / 2**20,
        "server_counted": stats["total"],
        "endpoints": stats["endpoints"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=4, help="client threads per client process")
    parser.add_argument("--client-processes", type=int, default=2)
    args = parser.parse_args()
    print(f"sandbox benchmark: {args.artists:,} artists, {os.cpu_count()} CPUs")
    start = startup(args.artists)
    print(f"start-up, in-process (until an API call answers): {start['in_process_s']:.2f} s")
    print(f"start-up, new `serve` process (until it answers):  {start['process_s']:.2f} s")
    print(f"first track search (builds the search columns):  {start['first_track_search_s']:.2f} s")
    for name, warm in (("warm", True), ("first touch", False)):
        result = throughput(
            args.artists, args.seconds, args.threads, args.client_processes, warm=warm
        )
        print(
            f"{name} mixed workload: {result['requests_per_s']:,.0f} requests/s "
            f"({result['requests']:,} in {args.seconds:.0f} s, {result['failed']} failed; "
            f"{args.client_processes} client processes x {args.threads} threads)"
        )
        print(
            f"  latency: p50 {result['latency_ms_p50']:.1f} ms, p99 {result['latency_ms_p99']:.1f} ms"
        )
        print(
            f"  server CPU: {result['server_cpu_us_per_request']:,.0f} us/request "
            f"= {result['server_capacity_per_core']:,.0f} requests/s per core; "
            f"memory afterwards {result['server_rss_mb']:,.0f} MB"
        )
        print("  requests by endpoint:", json.dumps(result["endpoints"]))


if __name__ == "__main__":
    main()
