"""The warehouse's own account of each table's columns: name, type as format_type prints it, nullable."""

from collections.abc import Iterable

from spotify_assets.warehouse import ddl
from spotify_assets.warehouse.connection import PostgresResource

# (layer, table) -> the columns in table order: (name, type, nullable)
WarehouseColumns = dict[tuple[str, str], tuple[tuple[str, str, bool], ...]]


class TablesNotBuiltError(RuntimeError):
    """Tables the catalog describes are missing from the warehouse: their types cannot be read."""


def warehouse_columns(
    postgres: PostgresResource, tables: Iterable[tuple[str, str]]
) -> WarehouseColumns:
    """The columns of each ``(layer, table)``, read in one transaction from the catalog tables.

    Raises ``TablesNotBuiltError`` naming every missing table and the command that builds them.
    """
    found: WarehouseColumns = {}
    with postgres.get_connection() as conn:
        for layer, table in tables:
            rows = conn.execute(
                ddl.existing_columns_query(placeholders=("%s", "%s")),
                [postgres.schema(layer), table],
            ).fetchall()
            if rows:
                found[(layer, table)] = tuple(
                    (name, pg_type, nullable) for name, pg_type, nullable in rows
                )
    missing = [
        f"{postgres.schema(layer)}.{table}"
        for layer, table in tables
        if (layer, table) not in found
    ]
    if missing:
        raise TablesNotBuiltError(
            f"The warehouse ({postgres.describe()}) has no table {', '.join(missing)}, so their "
            "column types cannot be read; build them first with `spotify-assets run`."
        )
    return found
