"""What every silver asset shares: the session views it runs first and the bronze they read."""

from collections.abc import Sequence

from dagster import AssetsDefinition, TableColumn

from spotify_assets.assets.silver.session_views import SessionViews, bronze_keys, setup_sql_files
from spotify_assets.assets.sql_table import TableSpec, column, sql_table_asset


def silver_asset(
    spec: TableSpec, reads: Sequence[SessionViews], silver_deps: Sequence[TableSpec] = ()
) -> AssetsDefinition:
    """The asset running ``sql/silver/build_<name>.sql`` after the session views it ``reads``.

    It runs those files and the files they need, in dependency order, and depends on exactly the
    bronze tables they read: each must exist before the build, and a refresh of any can change
    the table. ``silver_deps`` are the silver tables its checks read (foreign keys), built first.
    """
    return sql_table_asset(
        spec=spec,
        sql_file=f"silver/build_{spec.name}",
        deps=[*bronze_keys(reads), *silver_deps],
        setup_sql_files=setup_sql_files(reads),
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
