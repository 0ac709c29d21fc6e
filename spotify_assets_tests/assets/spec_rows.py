"""Hand-made rows for tables described by a ``TableSpec``: the fixture of a gold (or silver) asset.

``write_table`` creates the table exactly as its spec says (names and types in order), so a gold
test can state its silver input as a few dicts, with unspecified columns null.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from spotify_assets.sql_assets import TableSpec
from spotify_assets.warehouse.connection import PostgresResource


def write_table(
    postgres: PostgresResource, spec: TableSpec, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Create ``spec``'s table (replacing it) in its layer's schema and insert ``rows``."""
    unknown = sorted({name for row in rows for name in row} - {c.name for c in spec.columns})
    if unknown:
        raise ValueError(f"{spec.name} has no columns {unknown}.")
    schema = postgres.schema(spec.layer)
    postgres.ensure_schema(schema)
    table = sql.Identifier(schema, spec.name)
    names = [col.name for col in spec.columns]
    with postgres.get_connection() as conn:
        conn.execute(sql.SQL("drop table if exists {}").format(table))
        conn.execute(
            sql.SQL("create table {} ({})").format(
                table,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(col.name), sql.SQL(col.type))
                    for col in spec.columns
                ),
            )
        )
        if rows:
            with conn.cursor() as cursor:
                cursor.executemany(
                    sql.SQL("insert into {} ({}) values ({})").format(
                        table,
                        sql.SQL(", ").join(map(sql.Identifier, names)),
                        sql.SQL(", ").join(sql.Placeholder() * len(names)),
                    ),
                    [
                        tuple(
                            Jsonb(value) if isinstance(value, dict | list) else value
                            for value in (row.get(name) for name in names)
                        )
                        for row in rows
                    ],
                )
