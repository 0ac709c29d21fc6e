"""What every silver asset shares: the bronze keys it reads and the session views it runs first."""

from collections.abc import Sequence

from dagster import AssetKey, AssetsDefinition, TableColumn

from spotify_assets.sql_assets import TableSpec, column, sql_table_asset

# Defines the current records, richest versions, quarantine reasons and source keys (temporary views).
SETUP_SQL = "silver/define_current_records"

BRONZE_TABLES = (
    "artists",
    "artist_albums",
    "albums",
    "album_tracks",
    "tracks",
    "playlists",
    "playlist_items",
)


BRONZE_KEYS = tuple(AssetKey(["bronze", name]) for name in BRONZE_TABLES)


def silver_asset(spec: TableSpec, silver_deps: Sequence[TableSpec] = ()) -> AssetsDefinition:
    """The asset running ``sql/silver/build_<name>.sql`` after the shared session views.

    Every silver asset depends on every bronze asset: the shared views read all bronze tables
    (so each must exist before any silver build), and a bronze refresh can change any silver
    table. ``silver_deps`` are the silver tables its checks read (foreign keys), built first.
    """
    return sql_table_asset(
        spec=spec,
        sql_file=f"silver/build_{spec.name}",
        deps=[*BRONZE_KEYS, *silver_deps],
        setup_sql_files=(SETUP_SQL,),
    )


FETCHED_AT = column(
    "fetched_at",
    "timestamptz",
    "When the bronze record this row was read from was fetched (UTC).",
    nullable=False,
)


def source_table(what: str) -> TableColumn:
    return column(
        "source_table",
        "text",
        f"The bronze table whose record gave the chosen version of the {what}.",
        nullable=False,
    )
