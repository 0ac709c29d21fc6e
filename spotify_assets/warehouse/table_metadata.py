"""Dagster's standard table metadata, reported alike by the IO manager and the SQL-built assets."""

from collections.abc import Mapping

from dagster import TableColumn, TableColumnConstraints, TableSchema


def table_metadata(
    table_name: str,
    row_count: int,
    columns: Mapping[str, tuple[str, bool]],
    descriptions: Mapping[str, str],
) -> dict[str, object]:
    """Name, row count, and typed, described columns (``columns``: name -> (type, nullable))."""
    return {
        "dagster/table_name": table_name,
        "dagster/row_count": row_count,
        "dagster/column_schema": TableSchema(
            columns=[
                TableColumn(
                    name=name,
                    type=pg_type,
                    description=descriptions.get(name),
                    constraints=TableColumnConstraints(nullable=nullable),
                )
                for name, (pg_type, nullable) in columns.items()
            ]
        ),
    }
