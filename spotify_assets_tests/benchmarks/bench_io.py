"""Benchmark of the Postgres IO manager against the load paths it competes with (`make bench-io`).

Writes and reads a tracks-like DataFrame (1,000,000 rows x 12 columns by default) and prints rows/s
for: the IO manager's write and read, a server-side ``COPY FROM`` a CSV file (the floor no client can
beat), and pandas ``to_sql`` with default settings (what most home-made IO managers do; timed on a
100,000-row slice because it is ~30x slower). Each fast path runs ``--repeat`` times, alternating, and
the median is reported, so the write/floor ratio compares runs under the same machine load. Memory is
the peak growth of this process's RSS during the call, sampled every 5 ms, over the DataFrame's size.

Runs against SPOTIFY_ASSETS_DATABASE_URL, or the embedded server in SPOTIFY_ASSETS_HOME; everything it
creates lives in ``bench_*`` schemas, dropped at the end.
"""

import argparse
import gc
import json
import os
import statistics
import string
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy
from dagster import AssetKey, build_input_context, build_output_context

from spotify_assets import settings
from spotify_assets.io_managers.postgres import PostgresPandasIOManager
from spotify_assets.warehouse.connection import PostgresResource

PREFIX = "bench_"
ALPHABET = np.array(list(string.ascii_letters + string.digits))
NAMES = np.array(
    [
        "Café del Mar",
        "東京 Night Drive",
        "Björk 🎵 Live",
        "plain track name",
        "Ünïcödé — remix",
        "사랑해",
    ]
)


def _random_ids(rng: np.random.Generator, rows: int) -> np.ndarray:
    """``rows`` 22-character ids as Python strings, built in numpy (10M rows in seconds)."""
    codes = rng.integers(0, len(ALPHABET), size=(rows, 22))
    chars = np.frombuffer("".join(ALPHABET).encode(), dtype=np.uint8)[codes]
    return chars.view("S22").ravel().astype("U22").astype(object)


def tracks_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """A tracks-like frame: 22-char ids, unicode names, ints, bool, date, float, nullable text."""
    rng = np.random.default_rng(seed)
    ids, album_ids = _random_ids(rng, rows), _random_ids(rng, rows)
    isrc = np.where(
        rng.random(rows) < 0.15,
        None,
        "USRC1760" + pd.Series(rng.integers(0, 9999, rows)).astype(str).str.zfill(4),
    )
    days = rng.integers(0, 20_000, rows)
    return pd.DataFrame(
        {
            "id": ids,
            "name": NAMES[rng.integers(0, len(NAMES), rows)],
            "album_id": album_ids,
            "duration_ms": rng.integers(30_000, 600_000, rows),
            "track_number": rng.integers(1, 30, rows),
            "disc_number": rng.integers(1, 3, rows),
            "popularity": pd.array(rng.integers(0, 100, rows), dtype="Int64"),
            "explicit": rng.random(rows) < 0.2,
            "release_date": (pd.Timestamp("1970-01-01") + pd.to_timedelta(days, unit="D")).date,
            "danceability": rng.random(rows),
            "isrc": pd.Series(isrc, dtype=object),
            "preview_url": pd.Series(
                np.where(rng.random(rows) < 0.5, None, "https://p.scdn.co/mp3-preview/x"),
                dtype=object,
            ),
        }
    )


@contextmanager
def peak_rss_growth():
    """Yields a dict whose 'bytes' is set to the peak RSS growth during the block."""
    process = psutil.Process()
    gc.collect()
    base = process.memory_info().rss
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result: dict[str, int] = {}
    try:
        yield result
    finally:
        done.set()
        sampler.join()
        result["bytes"] = max(peak[0], process.memory_info().rss) - base


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--to-sql-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    postgres = PostgresResource(
        url=settings.database_url(), home=str(settings.project_home()), schema_prefix=PREFIX
    )
    io_manager = PostgresPandasIOManager(postgres=postgres)
    print(f"database: {postgres.describe()}")
    frame = tracks_frame(args.rows)
    frame_bytes = int(frame.memory_usage(deep=True, index=False).sum())
    print(
        f"frame: {len(frame):,} rows x {frame.shape[1]} columns, {frame_bytes / 1e6:.0f} MB in pandas"
    )

    key = AssetKey(["bronze", "tracks"])
    floor_table = f'"{postgres.schema("bronze")}".floor_tracks'
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "tracks.csv"
        pacsv.write_csv(
            pa.Table.from_pandas(frame, preserve_index=False),
            csv_path,
            pacsv.WriteOptions(include_header=False),
        )
        # The server process (another OS user for the embedded server run as root) reads the file.
        os.chmod(folder, 0o755)
        os.chmod(csv_path, 0o644)
        postgres.ensure_schema(postgres.schema("bronze"))

        def write() -> None:
            io_manager.handle_output(build_output_context(asset_key=key), frame)

        def floor() -> None:
            with postgres.get_connection() as conn:
                conn.execute(f"drop table if exists {floor_table}")
                conn.execute(
                    f"create table {floor_table} (id text, name text, album_id text, duration_ms bigint not null, "
                    "track_number bigint not null, disc_number bigint not null, popularity bigint, "
                    "explicit boolean not null, release_date date, danceability double precision, isrc text, "
                    "preview_url text)"
                )
                conn.execute(f"copy {floor_table} from '{csv_path}' (format csv)")

        writes, floors, write_memory = [], [], []
        for _ in range(args.repeat):
            seconds, _ = timed(floor)
            floors.append(seconds)
            with peak_rss_growth() as memory:
                seconds, _ = timed(write)
            writes.append(seconds)
            write_memory.append(memory["bytes"])

    reads, read_memory = [], []
    for _ in range(args.repeat):
        with peak_rss_growth() as memory:
            seconds, loaded = timed(
                lambda: io_manager.load_input(
                    build_input_context(
                        asset_key=key, upstream_output=build_output_context(asset_key=key)
                    )
                )
            )
        reads.append(seconds)
        read_memory.append(memory["bytes"])
        pd.testing.assert_frame_equal(loaded, frame)
        del loaded

    engine = sqlalchemy.create_engine(
        postgres.target_url.replace("postgresql://", "postgresql+psycopg://", 1)
    )
    subset = frame.head(args.to_sql_rows)
    to_sql_seconds, _ = timed(
        lambda: subset.to_sql(
            "to_sql_tracks",
            engine,
            schema=postgres.schema("bronze"),
            if_exists="replace",
            index=False,
        )
    )
    engine.dispose()

    rows = len(frame)
    figures = {
        "rows": rows,
        "frame_mb": round(frame_bytes / 1e6),
        "floor_copy_rows_per_s": round(rows / statistics.median(floors)),
        "io_manager_write_rows_per_s": round(rows / statistics.median(writes)),
        "io_manager_read_rows_per_s": round(rows / statistics.median(reads)),
        "io_manager_read_seconds": round(statistics.median(reads), 2),
        "to_sql_default_rows_per_s": round(len(subset) / to_sql_seconds),
        "write_vs_floor": round(statistics.median(floors) / statistics.median(writes), 2),
        "write_peak_memory_x_frame": round(max(write_memory) / frame_bytes, 2),
        "read_peak_memory_x_frame": round(max(read_memory) / frame_bytes, 2),
    }
    print()
    print(f"{'path':<44}{'rows/s':>12}")
    print(f"{'server-side COPY FROM file (floor)':<44}{figures['floor_copy_rows_per_s']:>12,}")
    print(f"{'IO manager write (staging + swap)':<44}{figures['io_manager_write_rows_per_s']:>12,}")
    print(f"{'IO manager read':<44}{figures['io_manager_read_rows_per_s']:>12,}")
    print(f"{'pandas to_sql, default settings':<44}{figures['to_sql_default_rows_per_s']:>12,}")
    print()
    print(
        f"write / floor: {figures['write_vs_floor']}x (goal >= 0.6x); read of {rows:,} rows: "
        f"{figures['io_manager_read_seconds']} s (goal < 5 s)"
    )
    print(
        f"peak memory growth: write {figures['write_peak_memory_x_frame']}x, read "
        f"{figures['read_peak_memory_x_frame']}x the DataFrame (goal < 3x)"
    )
    print(
        f"IO manager write vs to_sql: {figures['io_manager_write_rows_per_s'] / figures['to_sql_default_rows_per_s']:.0f}x"
    )
    print(json.dumps(figures))

    with postgres.get_connection() as conn:
        for layer in ("bronze", "dagster_io"):
            conn.execute(f'drop schema if exists "{postgres.schema(layer)}" cascade')


if __name__ == "__main__":
    main()
