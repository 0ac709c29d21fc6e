"""What live progress costs `spotify-assets run` (`make bench-run-progress`).

The same run (every asset but the report, ``--full-refresh`` so bronze fetches everything each
time) alternates between a terminal (a pseudo-terminal: rich redraws the live progress) and
``--quiet`` into a file (no progress drawn), ``--rounds`` times each, on one home with its sandbox.
Printed per run: the run's own seconds (from its summary: Dagster's start-up aside) and the wall
time; then the median of each and the terminal/quiet ratio.

Needs a PostgreSQL server: SPOTIFY_ASSETS_TEST_DATABASE_URL, or the machine's at 127.0.0.1:5432.
"""

import argparse
import os
import pty
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from spotify_assets_tests.cli_home import CLI, CliHome

ARGS = ("--full-refresh", "--select", "not group:report")
SECONDS = re.compile(r"succeeded in ([\d.]+) s")


def on_terminal(home: CliHome) -> str:
    """The run on a pseudo-terminal; what it drew (drained as it comes, so it never blocks)."""
    parent, child = pty.openpty()
    process = subprocess.Popen(
        [CLI, "run", *ARGS], env=home.env, stdin=subprocess.DEVNULL, stdout=child, stderr=child
    )
    os.close(child)
    drawn = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(parent, 65536)
            except OSError:  # the run ended: the terminal is gone
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    assert process.wait(600) == 0, drawn[-3000:].decode(errors="replace")
    reader.join()
    os.close(parent)
    return drawn.decode(errors="replace")


def quiet(home: CliHome) -> str:
    return subprocess.run(
        [CLI, "run", *ARGS, "--quiet"], env=home.env, capture_output=True, text=True, check=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = os.environ.get(
        "SPOTIFY_ASSETS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    with tempfile.TemporaryDirectory() as tmp:
        home = CliHome(Path(tmp) / "home", server)
        try:
            quiet(home)  # warm-up: first fetch, tables created
            results: dict[str, list[tuple[float, float]]] = {"terminal": [], "quiet": []}
            modes = [("terminal", on_terminal), ("quiet", quiet)]
            for round_ in range(args.rounds):
                for name, run in modes if round_ % 2 == 0 else modes[::-1]:  # alternate the order
                    started = time.monotonic()
                    output = run(home)
                    wall = time.monotonic() - started
                    seconds = float(SECONDS.search(output).group(1))
                    results[name].append((seconds, wall))
                    print(f"round {round_ + 1} {name:<8} run {seconds:6.1f} s   wall {wall:6.1f} s")
        finally:
            home.close()
    medians = {
        name: (statistics.median(r for r, _ in runs), statistics.median(w for _, w in runs))
        for name, runs in results.items()
    }
    for name, (run_s, wall_s) in medians.items():
        print(f"median {name:<8} run {run_s:6.1f} s   wall {wall_s:6.1f} s")
    ratio_run = medians["terminal"][0] / medians["quiet"][0]
    ratio_wall = medians["terminal"][1] / medians["quiet"][1]
    print(f"terminal/quiet: run {ratio_run:.3f}, wall {ratio_wall:.3f}")


if __name__ == "__main__":
    main()
