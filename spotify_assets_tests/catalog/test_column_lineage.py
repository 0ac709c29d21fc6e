"""Column lineage from the SQL files alone, over the columns the assets declare (no database)."""

import pytest

from spotify_assets.catalog.column_lineage import SqlLineageError, SqlTable, column_lineage
from spotify_assets.catalog.model import ColumnRef
from spotify_assets.catalog.warehouse_columns import WarehouseColumns
from spotify_assets.definitions import defs


@pytest.fixture(scope="module")
def declared() -> WarehouseColumns:
    """Every table's columns as its asset declares them (what a build verifies the SQL makes)."""
    graph = defs.get_repository_def().asset_graph
    columns = {}
    for key in graph.get_all_asset_keys():
        schema = graph.get(key).metadata.get("dagster/column_schema")
        if schema is not None and len(key.path) == 2:
            columns[tuple(key.path)] = tuple(
                (c.name, c.type, c.constraints.nullable) for c in schema.columns
            )
    return columns


def test_credits_out_of_nested_jsonb_reach_every_bronze_response(declared) -> None:
    views = ("silver/define_current_albums", "silver/define_current_tracks")
    views += ("silver/define_current_playlists", "silver/define_current_playlist_items")
    table = SqlTable(
        "silver",
        "track_artists",
        "silver/build_track_artists",
        (*views, "silver/define_track_objects"),
    )
    lineage = column_lineage([table], declared)[("silver", "track_artists")]
    assert set(lineage["artist_id"]) == {
        ColumnRef("bronze", name, "response")
        for name in ("album_tracks", "albums", "playlist_items", "tracks")
    }


def test_a_file_that_builds_another_table_is_named(declared) -> None:
    wrong = SqlTable("gold", "artist_summary", "silver/build_artists")
    with pytest.raises(SqlLineageError, match=r"sql/silver/build_artists\.sql creates no table"):
        column_lineage([wrong], declared)
