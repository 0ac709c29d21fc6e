"""Benchmark of the watch-list parser (`make bench-watchlist`): seconds to parse and resolve lists
of 10,000, 20,000 and 50,000 distinct ids, which every bronze step and sensor tick pays.

Baseline, measured in the same run: PyYAML composing the same text with the same loader, the part
of the work no parser of ours can avoid.
"""

import argparse
import time
from functools import partial

import yaml

from spotify_assets.resources.credentials import SpotifyCredentials
from spotify_assets.resources.spotify_client import ClientSettings, LiveSpotifyClient, SpotifyClient
from spotify_assets.sandbox.in_process import InProcessSandbox
from spotify_assets.watchlist import YAML_LOADER, parse_watchlist, resolve_watchlist


def watchlist_text(count: int) -> str:
    return "artists:\n" + "".join(f"  - {number:022d}\n" for number in range(count))


def parse_and_resolve(text: str, client: SpotifyClient) -> None:
    resolve_watchlist(parse_watchlist(text), client=client)


def best_of(repeats: int, function) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 50_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    # Ids only: the resolver makes no call, but it needs a client to make none with.
    sandbox = InProcessSandbox()
    client = LiveSpotifyClient(
        credentials=SpotifyCredentials(sandbox.client_id, sandbox.client_secret),
        settings=ClientSettings(api_url=sandbox.api_url, accounts_url=sandbox.token_url),
        adapter=sandbox.transport,
    )
    print(f"loader: {YAML_LOADER.__name__}")
    print(f"{'entries':>8}  {'parse + resolve s':>17}  {'yaml.compose s':>14}")
    for size in args.sizes:
        text = watchlist_text(size)
        ours = best_of(args.repeats, partial(parse_and_resolve, text, client))
        floor = best_of(args.repeats, partial(yaml.compose, text, Loader=YAML_LOADER))
        print(f"{size:>8,}  {ours:>17.3f}  {floor:>14.3f}")


if __name__ == "__main__":
    main()
