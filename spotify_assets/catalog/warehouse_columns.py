"""The warehouse's own account of each table's columns: name, type as format_type prints it, nullable."""

from collections.abc import Iterable

from spotify_assets.warehouse import ddl
from spotify_assets.warehouse.connection import PostgresResource

# (layer, table) -> the columns in table order: (name, type, nullable)
WarehouseColumns = dict[tuple[str, str], tuple[tuple[str, str, bool], ...]]


class TablesNotBuiltError(RuntimeError):
    """Tables the catalog describes are missing from the warehouse: their types cannot be read."""


def warehouse_columns(
    postgres: PostgresResource, tables: Iterable[tuple[str, str]], *, missing_ok: bool = False
) -> WarehouseColumns:
    """The columns of each ``(layer, table)``, read in one transaction from the system catalogs.

    Unless ``missing_ok`` (missing tables are then left out), raises ``TablesNotBuiltError``
    naming the missing tables and the command that builds them.
    """
    tables = list(tables)
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
    if missing and not missing_ok:
        named = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise TablesNotBuiltError(
            f"The warehouse ({postgres.describe()}) has no table {named}, so their column types "
            "cannot be read; build them first with `spotify-assets run`."
        )
    return found
