"""silver.quarantine and the accounting of every silver table, on a catalog with every problem.

Covers each quarantine reason with its exact row, the in/out/quarantined counts of each silver asset
balancing, and an accounting check catching a build that drops rows silently.
"""

import shutil
from pathlib import Path

import pytest

from spotify_assets import sql_files
from spotify_assets.assets.silver import QUARANTINE, SILVER_SPECS, TRACKS, silver_assets
from spotify_assets.assets.silver.quarantine import REASONS
from spotify_assets.assets.silver.session_views import TRACK_OBJECTS, setup_sql_files
from spotify_assets.assets.sql_table import sql_table_asset
from spotify_assets_tests.assets.bronze_rows import select_rows, write_bronze
from spotify_assets_tests.assets.runs import build, check_metadata, failed_checks, metadata
from spotify_assets_tests.assets.silver.catalog import (
    EXPECTED_QUARANTINE,
    QUARANTINE_COLUMNS,
    catalog,
)

pytestmark = pytest.mark.postgres


def test_every_reason_is_quarantined_and_every_table_accounts_for_its_sources(postgres):
    write_bronze(postgres, catalog())
    result = build(postgres, silver_assets)

    assert not failed_checks(result)
    rows = select_rows(postgres, "silver", "quarantine", QUARANTINE_COLUMNS)
    assert rows == EXPECTED_QUARANTINE
    assert {row[1] for row in rows} == set(REASONS)
    assert metadata(result, QUARANTINE.key)["rows_by_target_table_and_reason"] == {
        "album_artists/missing_id": 1,
        "albums/impossible_release_date": 1,
        "albums/missing_id": 3,
        "artists/missing_id": 1,
        "playlist_items/episode": 1,
        "playlist_items/impossible_added_at": 1,
        "playlist_items/local_file": 1,
        "playlist_items/unavailable_item": 1,
        "playlist_items/unknown_item_type": 1,
        "playlists/missing_id": 1,
        "track_artists/missing_id": 1,
        "tracks/missing_id": 1,
    }
    excluded: dict[str, int] = {}
    for target, _, is_kept, *_ in rows:
        excluded[target] = excluded.get(target, 0) + (not is_kept)
    for spec in SILVER_SPECS:
        if not spec.accounted:
            continue
        reported = metadata(result, spec.key)
        assert reported["source_rows"] == reported["rows_out"] + reported["rows_quarantined"]
        assert reported["rows_out"] == reported["dagster/row_count"]
        assert reported["rows_quarantined"] == excluded.get(spec.name, 0), spec.name


def test_the_accounting_check_names_rows_a_build_drops_silently(
    postgres, tmp_path: Path, monkeypatch
):
    write_bronze(postgres, catalog())
    root = tmp_path / "sql"
    shutil.copytree(sql_files.SQL_ROOT / "silver", root / "silver")
    broken = sql_files.sql_path("silver/build_tracks").read_text(encoding="utf-8")
    broken = broken.replace(
        "from chosen_tracks as t", "from chosen_tracks as t where t.track_id <> 'T2'"
    )
    (root / "silver" / "build_tracks.sql").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(sql_files, "SQL_ROOT", root)
    leaky = sql_table_asset(
        spec=TRACKS,
        sql_file="silver/build_tracks",
        deps=[],
        setup_sql_files=setup_sql_files([TRACK_OBJECTS]),
    )

    result = build(postgres, [leaky])
    failed = failed_checks(result)
    assert "tracks_accounting_balances" in failed
    accounting = check_metadata(failed["tracks_accounting_balances"])
    assert accounting["offending_ids"] == ["T2"]
    assert accounting["rows_without_source"] == []
    assert (accounting["source_rows"], accounting["rows_out"], accounting["rows_quarantined"]) == (
        6,
        4,
        1,
    )
    assert "T2" not in {row[0] for row in select_rows(postgres, "silver", "tracks", ["track_id"])}
