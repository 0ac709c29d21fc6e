"""SQL-built tables as Dagster assets: a spec per table, one factory, generic checks."""

from spotify_assets.assets.sql_table.factory import (
    ColumnMismatchError,
    build_table,
    column_differences,
    sql_table_asset,
)
from spotify_assets.assets.sql_table.spec import (
    AcceptedValues,
    ForeignKey,
    TableSpec,
    ValueRange,
    column,
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
