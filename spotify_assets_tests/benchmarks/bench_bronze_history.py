"""Silver's latest-version lookup as bronze history grows (`make bench-bronze-history`).

``bronze.artists`` is given ``--artists`` sandbox artist objects (extended mode), then more stored
versions of each (the follower count changes every run, as on Spotify) up to each ``--versions``
depth. At each depth the current-artists view is timed two ways, alternating, ``--repeat`` times:

* the scan of the whole history, ``distinct on`` over every version: silver's view before the
  ``__latest`` pointer, kept here as the baseline;
* the pointer (``artists__latest``, kept by the IO manager) joined to bronze by content hash:
  silver's view now (``sql/silver/define_current_artists.sql``).

Both read a field of every winner's object (``response ->> 'name'``), as a silver build does.
Printed: the median time of each, their ratio, the growth from the shallowest depth, and at the
deepest depth both plans (``explain analyze``, buffers).

Runs against SPOTIFY_ASSETS_DATABASE_URL or the embedded server; tables live in ``benchhist_*``
schemas, dropped at the end.
"""

import argparse
import datetime as dt
import hashlib
import json
import statistics
import time

from psycopg import sql

from spotify_assets import settings
from spotify_assets.sandbox import Catalog, SandboxConfig
from spotify_assets.sandbox.ids import Kind
from spotify_assets.sandbox.modes import EXTENDED
from spotify_assets.sandbox.render import Renderer
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.sql_files import load_sql
from spotify_assets_tests.assets.bronze_rows import create_bronze_tables, point_to_latest

PREFIX = "benchhist_"
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

# The view before the pointer: every stored version sorted by id, newest first.
HISTORY_SCAN = """
select distinct on (coalesce(b.response ->> 'id', b.content_hash))
    b.response ->> 'id' as artist_id, b.response, b.fetched_at, b.content_hash
from {bronze}.artists as b
order by coalesce(b.response ->> 'id', b.content_hash), b.fetched_at desc, b.content_hash
"""


def _current_view(postgres: PostgresResource) -> str:
    """The body of silver's current-artists view, as its SQL file defines it."""
    text = load_sql("silver/define_current_artists", postgres.layer_schemas).as_string(None)
    start = text.index("select", text.index("create temporary view current_artist_records as"))
    return text[start : text.index(";", start)]


def _fill_first_versions(postgres: PostgresResource, artists: int) -> None:
    catalog = Catalog(seed=SandboxConfig().seed, artists=artists)
    renderer = Renderer(catalog, "http://sandbox.invalid/v1", EXTENDED)
    table = sql.Identifier(postgres.schema("bronze"), "artists")
    with postgres.get_connection() as conn, conn.cursor() as cursor:
        copy = sql.SQL(
            "copy {} (spotify_id, endpoint, params, fetched_at, load_id, content_hash, response) "
            "from stdin"
        ).format(table)
        with cursor.copy(copy) as rows:
            for artist_id in catalog.artist_ids():
                body = renderer.artist(catalog.key(Kind.ARTIST, artist_id)).decode()
                digest = hashlib.sha256(body.encode()).hexdigest()
                params = json.dumps({"ids": artist_id})
                rows.write_row((artist_id, "/artists", params, T0, "version-1", digest, body))


def _add_versions(postgres: PostgresResource, start: int, end: int) -> None:
    """Versions ``start``..``end`` of every artist: a new follower count one day later each."""
    bronze = postgres.schema("bronze")
    with postgres.get_connection() as conn:
        conn.execute(
            sql.SQL(
                "insert into {} (spotify_id, endpoint, params, fetched_at, load_id, content_hash, "
                "response) "
                "select b.spotify_id, b.endpoint, b.params, b.fetched_at + v * interval '1 day', "
                "'version-' || v, md5(b.content_hash || v), "
                "jsonb_set(b.response, '{{followers,total}}', to_jsonb(v)) "
                "from {} as b cross join generate_series(%s::integer, %s::integer) as v "
                "where b.load_id = 'version-1'"
            ).format(sql.Identifier(bronze, "artists"), sql.Identifier(bronze, "artists")),
            [start, end],
        )
        conn.execute(sql.SQL("analyze {}").format(sql.Identifier(bronze, "artists")))


def _timed(postgres: PostgresResource, body: str) -> float:
    with postgres.get_connection() as conn:
        conn.execute("set local jit = off")  # as silver builds run
        started = time.perf_counter()
        conn.execute(f"select count(*), sum(length(v.response ->> 'name')) from ({body}) as v")
        return time.perf_counter() - started


def _plan(postgres: PostgresResource, body: str) -> str:
    with postgres.get_connection() as conn:
        conn.execute("set local jit = off")
        rows = conn.execute(
            "explain (analyze, buffers, costs off, timing off) "
            f"select count(*), sum(length(v.response ->> 'name')) from ({body}) as v"
        ).fetchall()
    return "\n".join(row[0] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, default=10_000)
    parser.add_argument("--versions", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    postgres = PostgresResource(
        url=settings.database_url(), home=str(settings.project_home()), schema_prefix=PREFIX
    )
    scan = HISTORY_SCAN.format(bronze=sql.Identifier(postgres.schema("bronze")).as_string(None))
    pointer = _current_view(postgres)
    results = []
    try:
        create_bronze_tables(postgres, ["artists"])
        _fill_first_versions(postgres, args.artists)
        stored = 1
        for depth in sorted(args.versions):
            if depth > stored:
                _add_versions(postgres, stored + 1, depth)
                stored = depth
            started = time.perf_counter()
            point_to_latest(postgres, ["artists"])  # a full fill, as for a table from before it
            fill = time.perf_counter() - started
            scans, pointers = [], []
            for _ in range(args.repeat):
                scans.append(_timed(postgres, scan))
                pointers.append(_timed(postgres, pointer))
            results.append(
                {
                    "versions": depth,
                    "rows": depth * args.artists,
                    "history_scan_ms": round(statistics.median(scans) * 1000, 1),
                    "pointer_ms": round(statistics.median(pointers) * 1000, 1),
                    "pointer_fill_ms": round(fill * 1000, 1),
                }
            )
            print(json.dumps(results[-1]), flush=True)
        print(f"\n{args.artists:,} artists; median of {args.repeat}, alternating")
        print(f"{'versions':>9}{'rows':>11}{'history scan':>15}{'pointer':>10}{'scan/pointer':>14}")
        for r in results:
            print(
                f"{r['versions']:>9}{r['rows']:>11,}{r['history_scan_ms']:>12.1f} ms"
                f"{r['pointer_ms']:>7.1f} ms{r['history_scan_ms'] / r['pointer_ms']:>13.1f}x"
            )
        first, last = results[0], results[-1]
        print(
            f"growth from {first['versions']} to {last['versions']} versions: history scan "
            f"{last['history_scan_ms'] / first['history_scan_ms']:.1f}x, pointer "
            f"{last['pointer_ms'] / first['pointer_ms']:.1f}x"
        )
        print(
            f"\nplan before (history scan), {last['versions']} versions:\n{_plan(postgres, scan)}"
        )
        print(f"\nplan after (pointer), {last['versions']} versions:\n{_plan(postgres, pointer)}")
    finally:
        with postgres.get_connection() as conn:
            for (schema,) in conn.execute(
                "select nspname from pg_namespace where starts_with(nspname, %s)", [PREFIX]
            ).fetchall():
                conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
