"""The catalog model over a warehouse the main job built: tables, real types, lineage, observed."""

from dataclasses import replace

import pytest
from dagster import AssetKey
from psycopg import sql

from spotify_assets.catalog.build import build_catalog, verify_declared_columns
from spotify_assets.catalog.model import Catalog, ColumnRef
from spotify_assets.catalog.warehouse_columns import TablesNotBuiltError
from spotify_assets_tests.fixtures.pipeline import BuiltWarehouse

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def catalog(built_warehouse: BuiltWarehouse) -> Catalog:
    return build_catalog(built_warehouse.defs, built_warehouse.postgres, built_warehouse.instance)


def test_every_table_of_the_definitions_is_in_the_catalog(
    catalog: Catalog, built_warehouse: BuiltWarehouse
) -> None:
    graph = built_warehouse.defs.get_repository_def().asset_graph
    expected = {
        ".".join(key.path)
        for key in graph.get_all_asset_keys()
        if key.path[0] in ("bronze", "silver", "gold")
    }
    assert {table.qualified_name for table in catalog.tables} == expected
    assert len(expected) >= 20
    for table in catalog.tables:
        assert table.grain.startswith("One row per"), table.qualified_name
        assert table.owners and table.kinds, table.qualified_name
        assert table.checks or table.layer == "bronze", table.qualified_name
        assert table.jobs and "all_assets_job" in table.jobs
        assert all(column.description for column in table.columns), table.qualified_name
        assert any(column.primary_key for column in table.columns), table.qualified_name


def test_column_types_are_the_warehouses(catalog: Catalog) -> None:
    response = catalog.table("bronze.artists").columns
    assert {c.name: c.type for c in response}["response"] == "jsonb"
    assert {c.name: c.type for c in response}["fetched_at"] == "timestamp with time zone"
    summary = {c.name: c for c in catalog.table("gold.artist_summary").columns}
    assert summary["average_track_seconds"].type == "double precision"
    assert summary["first_release_date"].type == "date"
    assert summary["artist_id"].primary_key and not summary["artist_id"].nullable
    assert summary["popularity"].nullable


def test_bronze_tables_name_their_endpoint(catalog: Catalog) -> None:
    assert catalog.table("bronze.artist_albums").endpoint == "GET /v1/artists/{id}/albums"
    assert all(t.endpoint for t in catalog.tables if t.layer == "bronze")
    assert all(t.sql_file for t in catalog.tables if t.layer != "bronze")


def test_table_lineage_follows_the_asset_graph(catalog: Catalog) -> None:
    tracks = catalog.table("silver.tracks")
    assert "bronze.tracks" in tracks.upstream
    assert "gold.artist_summary" in tracks.downstream
    assert "silver.tracks" in catalog.table("bronze.tracks").downstream


def test_gold_artist_summary_columns_reach_silver_columns(catalog: Catalog) -> None:
    lineage = {c.name: set(c.upstream) for c in catalog.table("gold.artist_summary").columns}
    assert lineage["artist_name"] == {ColumnRef("silver", "artists", "name")}
    assert ColumnRef("silver", "tracks", "duration_ms") in lineage["average_track_seconds"]
    assert ColumnRef("silver", "albums", "release_date") in lineage["first_release_date"]
    assert all(ref.layer == "silver" for refs in lineage.values() for ref in refs)
    # Row counts (count(*)) are made of rows, not of a column: DataHub's parser gives them none.
    assert {name for name, refs in lineage.items() if not refs} == {"appears_on", "tracks"}


def test_silver_columns_out_of_bronze_jsonb_point_at_response(catalog: Catalog) -> None:
    tracks = {c.name: set(c.upstream) for c in catalog.table("silver.tracks").columns}
    assert ColumnRef("bronze", "tracks", "response") in tracks["duration_ms"]
    assert ColumnRef("bronze", "albums", "response") in tracks["duration_ms"]
    assert ColumnRef("bronze", "tracks", "fetched_at") in tracks["fetched_at"]
    silver = [t for t in catalog.tables if t.layer == "silver"]
    refs = {ref for t in silver for c in t.columns for ref in c.upstream}
    assert refs and all(ref.layer in ("bronze", "silver") for ref in refs)


def test_observed_counts_and_check_results(
    catalog: Catalog, built_warehouse: BuiltWarehouse
) -> None:
    for table in catalog.tables:
        assert table.observed is not None and table.observed.row_count is not None
        assert table.observed.run_id and table.observed.materialized_at
        assert all(check.latest is not None for check in table.checks), table.qualified_name
    event = built_warehouse.instance.get_latest_materialization_event(
        AssetKey(["gold", "artist_summary"])
    )
    expected = event.asset_materialization.metadata["dagster/row_count"].value
    assert catalog.table("gold.artist_summary").observed.row_count == expected > 0
    assert catalog.dashboard.observed is not None and catalog.dashboard.observed.run_id


def test_the_report_is_a_dashboard_of_its_figures(catalog: Catalog) -> None:
    dashboard = catalog.dashboard
    assert dashboard.asset_key == ("report", "spotify_report")
    assert len(dashboard.charts) == 7
    tables = {t.qualified_name for t in catalog.tables}
    for chart in dashboard.charts:
        assert chart.title and chart.description and chart.reads
        assert set(chart.reads) <= tables and set(chart.reads) <= set(dashboard.reads)


def test_jobs_list_the_tables_they_materialize(catalog: Catalog) -> None:
    jobs = {job.name: job for job in catalog.jobs}
    assert set(jobs) == {"all_assets_job", "refresh_artists_job", "refresh_playlists_job"}
    assert set(jobs["refresh_playlists_job"].tables) == {
        "bronze.playlists",
        "bronze.playlist_items",
    }
    assert len(jobs["all_assets_job"].tables) == len(catalog.tables)


def test_a_repository_definition_gives_the_same_tables_and_the_instance_only_adds_observations(
    catalog: Catalog, built_warehouse: BuiltWarehouse
) -> None:
    static = build_catalog(built_warehouse.defs.get_repository_def(), built_warehouse.postgres)
    assert all(t.observed is None for t in static.tables) and static.dashboard.observed is None
    assert static.tables == tuple(
        replace(t, observed=None, checks=tuple(replace(c, latest=None) for c in t.checks))
        for t in catalog.tables
    )
    assert static.jobs == catalog.jobs


def test_only_built_leaves_out_the_tables_a_warehouse_lacks(make_postgres) -> None:
    from spotify_assets.definitions import defs

    catalog = build_catalog(defs, make_postgres(), only_built=True)
    assert catalog.tables == ()
    assert len(catalog.dashboard.charts) == 7


def test_a_table_built_by_other_code_is_refused_for_the_docs(make_postgres) -> None:
    from spotify_assets.definitions import defs

    postgres = make_postgres()
    postgres.ensure_schema(postgres.schema("gold"))
    with postgres.get_connection() as conn:
        conn.execute(
            sql.SQL("create table {} (artist_id text, artist_name integer)").format(
                sql.Identifier(postgres.schema("gold"), "artist_summary")
            )
        )
    catalog = build_catalog(defs, postgres, only_built=True)
    assert [t.qualified_name for t in catalog.tables] == ["gold.artist_summary"]
    with pytest.raises(TablesNotBuiltError, match=r"gold\.artist_summary \(missing columns"):
        verify_declared_columns(defs, catalog)
