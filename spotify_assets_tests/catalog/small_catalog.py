"""A small hand-built Catalog: the seam between the model builder and the DataHub export."""

from datetime import UTC, datetime

from spotify_assets.catalog.model import (
    Catalog,
    CatalogCheck,
    CatalogColumn,
    CatalogJob,
    CatalogTable,
    Chart,
    CheckResult,
    ColumnRef,
    Dashboard,
    Observed,
)

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _table(layer, name, columns, upstream=(), downstream=(), checks=(), **extra) -> CatalogTable:
    return CatalogTable(
        layer=layer,
        name=name,
        asset_key=(layer, name),
        description=f"The {name} table.",
        grain=f"One row per {name[:-1]}.",
        owners=("team:spotify-assets",),
        tags=(("layer", layer),),
        kinds=("postgres",),
        columns=columns,
        upstream=upstream,
        downstream=downstream,
        checks=checks,
        jobs=("all_assets_job",),
        observed=Observed(row_count=3, materialized_at=AT, run_id="run-1"),
        **extra,
    )


def small_catalog() -> Catalog:
    bronze = _table(
        "bronze",
        "artists",
        (
            CatalogColumn("artist_id", "text", "Spotify id.", False, True),
            CatalogColumn("response", "jsonb", "The raw answer.", False, False),
        ),
        downstream=("silver.artists",),
        endpoint="GET /v1/artists",
    )
    silver = _table(
        "silver",
        "artists",
        (
            CatalogColumn(
                "artist_id",
                "text",
                "Spotify id.",
                False,
                True,
                (ColumnRef("bronze", "artists", "artist_id"),),
            ),
            CatalogColumn(
                "followers",
                "bigint",
                "Followers.",
                True,
                False,
                (ColumnRef("bronze", "artists", "response"),),
            ),
        ),
        upstream=("bronze.artists",),
        downstream=("gold.artist_summary",),
        sql_file="sql/silver/build_artists.sql",
    )
    passed = CheckResult(passed=True, severity="ERROR", evaluated_at=AT, run_id="run-1")
    gold = _table(
        "gold",
        "artist_summary",
        (
            CatalogColumn(
                "artist_id",
                "text",
                "Watched artist.",
                False,
                True,
                (ColumnRef("silver", "artists", "artist_id"),),
            ),
            CatalogColumn(
                "followers",
                "bigint",
                "Followers.",
                True,
                False,
                (ColumnRef("silver", "artists", "followers"),),
            ),
        ),
        upstream=("silver.artists",),
        checks=(CatalogCheck("unique_artist_id", "artist_id is unique.", True, passed),),
        sql_file="sql/gold/build_artist_summary.sql",
    )
    chart = Chart("followers", "Followers", "Followers per artist.", ("gold.artist_summary",))
    dashboard = Dashboard(
        asset_key=("report", "spotify_report"),
        name="Spotify report",
        description="The report.",
        charts=(chart,),
        reads=("gold.artist_summary",),
        owners=("team:spotify-assets",),
    )
    job = CatalogJob(
        "all_assets_job",
        "Every asset.",
        ("bronze.artists", "silver.artists", "gold.artist_summary"),
    )
    return Catalog(tables=(bronze, silver, gold), dashboard=dashboard, jobs=(job,))
