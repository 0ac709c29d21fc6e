"""SQL-built tables as Dagster assets: a spec per table, one factory, generic checks."""

from spotify_assets.sql_assets.spec import (
    AcceptedValues,
    ForeignKey,
    TableSpec,
    ValueRange,
    column,
)
from spotify_assets.sql_assets.table_asset import (
    ColumnMismatchError,
    build_table,
    column_differences,
    sql_table_asset,
)

__all__ = [
    "AcceptedValues",
    "ColumnMismatchError",
    "ForeignKey",
    "TableSpec",
    "ValueRange",
    "build_table",
    "column",
    "column_differences",
    "sql_table_asset",
]
