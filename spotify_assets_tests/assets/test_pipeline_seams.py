"""The whole pipeline (bronze from the sandbox over HTTP, silver, gold) at its seams.

- On the 20-artist default catalog, table counts equal counts computed from the sandbox's catalog.
- Running it twice changes nothing in silver or gold, and the second run rewrites neither: every
  SQL asset reuses its build (same tables on disk, checks reported again); a change to one bronze
  table then rebuilds exactly the silver and gold tables downstream of it.
- A development-mode sandbox and an extended one over the same catalog give the same silver rows,
  but for the fields development-mode apps lack and the playlists they may not read.
- A run killed part-way leaves every table as it was or as it should be, and the next run completes.
The SQL layers' own seams on hand-made fixtures are in silver/test_seams.py.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from dagster import AssetKey, AssetSelection, DagsterInstance, materialize

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.gold import GOLD_SPECS, gold_assets
from spotify_assets.assets.silver import SILVER_SPECS, silver_assets
from spotify_assets.sandbox import SandboxServer
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.assets.bronze_rows import point_to_latest, select_rows
from spotify_assets_tests.assets.runs import checks, failed_checks, metadata
from spotify_assets_tests.fixtures.pipeline import pipeline_resources

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[2]
PIPELINE = [*bronze_assets, *silver_assets, *gold_assets]
SPECS = (*SILVER_SPECS, *GOLD_SPECS)
DEFAULT_PLAYLISTS = [
    "3ITXR8fOUZNaULB71K3IEd",
    "7lH2CkhH1Q7XXJMS5FdT5s",
    "1MotbtjDYPaly9F0fXwPCy",
    "5TXBl1BoTtopI5PzJu8yVe",
]
OWN_PLAYLISTS = DEFAULT_PLAYLISTS[:2]


def _snapshot(postgres: PostgresResource) -> dict[str, list[tuple]]:
    """Every silver and gold row, without fetch times (two databases fetch at different times)."""
    return {
        f"{spec.layer}.{spec.name}": select_rows(
            postgres,
            spec.layer,
            spec.name,
            [c.name for c in spec.columns if c.name != "fetched_at"],
        )
        for spec in SPECS
    }


def _files(postgres: PostgresResource) -> dict[str, tuple[int, int]]:
    """Each silver and gold table's oid and data file: a rebuild or rewrite changes them."""
    with postgres.get_connection() as conn:
        rows = conn.execute(
            "select n.nspname || '.' || c.relname, c.oid::bigint, c.relfilenode::bigint "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = any(%s) and c.relkind = 'r'",
            [[postgres.schema("silver"), postgres.schema("gold")]],
        ).fetchall()
    return {name: (oid, node) for name, oid, node in rows}


def _rebuilt(result) -> dict[AssetKey, bool]:
    return {spec.key: metadata(result, spec.key)["rebuilt"] for spec in SPECS}


def _downstream_in_sql_layers(bronze_table: str) -> set[AssetKey]:
    """The silver and gold assets reading ``bronze_table``, directly or through silver and gold."""
    sql_assets = {key for a in [*silver_assets, *gold_assets] for key in a.keys}
    found = {AssetKey(["bronze", bronze_table])}
    while True:
        more = {
            key
            for a in [*silver_assets, *gold_assets]
            for key in a.keys
            if key not in found and found & set(a.asset_deps[key])
        }
        if not more:
            return found & sql_assets
        found |= more


def check_metadata_value(evaluation, name: str) -> object:
    entry = evaluation.metadata.get(name)
    return None if entry is None else entry.value


def _count(postgres: PostgresResource, table: str, where: str = "true") -> int:
    layer, name = table.split(".")
    with postgres.get_connection() as conn:
        return conn.execute(
            f'select count(*) from "{postgres.schema(layer)}"."{name}" where {where}'
        ).fetchone()[0]


def test_default_catalog_counts_match_the_catalog_and_a_rerun_changes_nothing(
    sandbox: SandboxServer, postgres: PostgresResource, resources
) -> None:
    instance = DagsterInstance.ephemeral()
    first = materialize(PIPELINE, resources=resources, instance=instance)
    assert first.success and not failed_checks(first)

    catalog = sandbox.catalog
    album_ids = {entry.album.id for a in catalog.artist_ids() for entry in catalog.artist_albums(a)}
    tracks = [track for album_id in album_ids for track in catalog.album_tracks(album_id)]
    items = [item for playlist in DEFAULT_PLAYLISTS for item in catalog.playlist_items(playlist)]
    kinds = Counter(item.kind for item in items)
    assert _count(postgres, "silver.artists") == len(catalog.artist_ids())
    assert _count(postgres, "silver.albums") == len(album_ids)
    assert _count(postgres, "silver.tracks") == len(
        {t.id for t in tracks} | {i.id for i in items if i.kind == "track"}
    )
    assert _count(postgres, "silver.track_artists") == sum(len(set(t.artist_ids)) for t in tracks)
    assert _count(postgres, "silver.playlist_items") == kinds["track"]
    assert _count(postgres, "silver.quarantine", "reason = 'episode'") == kinds["episode"]
    assert _count(postgres, "silver.quarantine", "reason = 'local_file'") == kinds["local"]
    assert (
        _count(postgres, "silver.quarantine", "reason = 'unavailable_item'") == kinds["unavailable"]
    )
    credited = Counter(artist for t in tracks for artist in set(t.artist_ids))
    with postgres.get_connection() as conn:
        summary = dict(
            conn.execute(
                f'select artist_id, tracks from "{postgres.schema("gold")}".artist_summary'
            )
        )
    assert summary == {artist: credited[artist] for artist in catalog.artist_ids()}

    before, files = _snapshot(postgres), _files(postgres)
    second = materialize(PIPELINE, resources=resources, instance=instance)
    assert second.success and not failed_checks(second)
    assert _snapshot(postgres) == before
    # Nothing new was fetched: no SQL table was rebuilt or rewritten, and each asset's checks
    # were reported again, from the build they describe.
    assert _files(postgres) == files
    assert not any(_rebuilt(second).values())
    assert {metadata(second, spec.key)["reused_from_run"] for spec in SPECS} == {first.run_id}
    reported = checks(second)
    assert set(reported) == set(checks(first))
    assert {check_metadata_value(e, "reused_from_run") for e in reported.values()} == {first.run_id}

    # One artist changes in bronze: exactly the tables downstream of bronze.artists are rebuilt.
    bronze = postgres.schema("bronze")
    with postgres.get_connection() as conn:
        conn.execute(
            f'insert into "{bronze}".artists (spotify_id, parent_id, position, endpoint, params, '
            "fetched_at, load_id, content_hash, response) "
            "select spotify_id, parent_id, position, endpoint, params, now(), 'test', "
            "md5(content_hash), jsonb_set(response, '{name}', to_jsonb('Renamed'::text)) "
            f'from "{bronze}".artists order by spotify_id limit 1'
        )
    point_to_latest(postgres, ["artists"])
    third = materialize(
        PIPELINE,
        selection=AssetSelection.groups("silver", "gold"),
        resources=resources,
        instance=instance,
    )
    assert third.success
    rebuilt = {key for key, again in _rebuilt(third).items() if again}
    assert rebuilt == _downstream_in_sql_layers("artists")
    assert AssetKey(["silver", "albums"]) not in rebuilt  # a control: albums read no artists
    after = _files(postgres)
    assert {name for name in files if after[name] != files[name]} == {
        f"{postgres.schema(key.path[0])}.{key.path[1]}" for key in rebuilt
    }


def test_development_and_extended_sandboxes_give_the_same_silver_but_for_missing_fields(
    make_sandbox, make_postgres
) -> None:
    extended_db, development_db = make_postgres(), make_postgres()
    for mode, postgres in (("extended", extended_db), ("development", development_db)):
        resources = pipeline_resources(make_sandbox(mode=mode), postgres)
        assert materialize([*bronze_assets, *silver_assets], resources=resources).success
    for spec in SILVER_SPECS:
        columns = [
            c.name
            for c in spec.columns
            if c.name not in ("content_hash", "raw", "fetched_at", "source_table")
        ]
        developing = select_rows(development_db, "silver", spec.name, columns)
        extended = select_rows(extended_db, "silver", spec.name, columns)
        if spec.name == "artist_genres":
            assert developing == [] and extended, "genres are a field development-mode apps lack"
            continue
        if spec.name == "quarantine":
            # Its key hashes the raw objects, which differ; what was quarantined must not.
            assert set(developing) <= set(extended) and developing
            continue
        key = [columns.index(name) for name in spec.primary_key]
        dev_rows = {tuple(row[i] for i in key): row for row in developing}
        ext_rows = {tuple(row[i] for i in key): row for row in extended}
        if spec.name == "playlist_items":
            # Development-mode tokens read only their own playlists' items.
            assert set(dev_rows) == {k for k in ext_rows if k[0] in OWN_PLAYLISTS}
        else:
            assert set(dev_rows) == set(ext_rows), spec.name
        for pk, row in dev_rows.items():
            for name, dev_value, ext_value in zip(columns, row, ext_rows[pk], strict=True):
                # A value may only be missing (or a track known from its album only), never differ.
                assert dev_value in (ext_value, None) or (name == "is_full" and not dev_value), (
                    spec.name,
                    pk,
                    name,
                    dev_value,
                    ext_value,
                )
    lacking = {
        "artists": ["popularity", "followers"],
        "albums": ["label", "popularity", "available_market_count"],
        "tracks": ["popularity", "available_market_count"],
    }
    for table, fields in lacking.items():
        values = select_rows(development_db, "silver", table, fields)
        assert {value for row in values for value in row} == {None}, table


KILLED_RUN = textwrap.dedent(
    """
    import sys
    from dagster import materialize
    from spotify_assets.assets.bronze import bronze_assets
    from spotify_assets.assets.gold import gold_assets
    from spotify_assets.assets.silver import silver_assets
    from spotify_assets.warehouse.connection import PostgresResource
    from spotify_assets_tests.fixtures.pipeline import pipeline_resources

    class Server:
        api_url, token_url, client_id, client_secret = sys.argv[1:5]

    postgres = PostgresResource(url=sys.argv[5] or None, home=sys.argv[6], schema_prefix=sys.argv[7])
    materialize([*bronze_assets, *silver_assets, *gold_assets], resources=pipeline_resources(Server, postgres))
    """
)


def test_a_killed_run_leaves_each_table_as_it_was_or_as_it_should_be(
    sandbox: SandboxServer, make_postgres, postgres_url, tmp_path
) -> None:
    reference, victim = make_postgres(), make_postgres()
    instance = DagsterInstance.ephemeral()
    assert materialize(
        PIPELINE, resources=pipeline_resources(sandbox, victim), instance=instance
    ).success
    before = _snapshot(victim)
    sandbox.catalog.add_album(
        sandbox.catalog.artist_ids()[2], name="Released Meanwhile", total_tracks=12
    )
    assert materialize(PIPELINE, resources=pipeline_resources(sandbox, reference)).success
    after = _snapshot(reference)
    changed = [table for table in before if before[table] != after[table]]
    assert changed, "the new album should change silver and gold"

    script = tmp_path / "run.py"
    script.write_text(KILLED_RUN)
    args = [
        sandbox.api_url,
        sandbox.token_url,
        sandbox.client_id,
        sandbox.client_secret,
        postgres_url or "",
        victim.home,
        victim.schema_prefix,
    ]
    log = (tmp_path / "run.log").open("w")
    run = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        # Kill it once silver has started rebuilding: bronze holds the new album by then.
        deadline = time.monotonic() + 120
        while _count(victim, "bronze.albums", "response ->> 'name' = 'Released Meanwhile'") == 0:
            assert run.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)
        assert run.poll() is None, "the run finished before it was killed"
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    snapshot = _snapshot(victim)
    for table, rows in snapshot.items():
        assert rows in (before[table], after[table]), (
            f"{table} is neither as it was nor as it should be"
        )
    assert materialize(PIPELINE, resources=pipeline_resources(sandbox, victim)).success
    assert _snapshot(victim) == after
