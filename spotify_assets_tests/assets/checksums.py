"""Row counts and content checksums of silver and gold tables, computed in PostgreSQL.

Two runs over the same Spotify answers must agree on these, whatever went wrong on the way; only
``fetched_at`` (when bronze fetched, which no two runs share) is left out.
"""

from collections.abc import Sequence

from psycopg import sql

from spotify_assets.assets.gold import GOLD_SPECS
from spotify_assets.assets.silver import SILVER_SPECS
from spotify_assets.sql_assets.spec import TableSpec
from spotify_assets.warehouse.connection import PostgresResource

VOLATILE_COLUMNS = frozenset({"fetched_at"})

# One md5 over the rows as text, ordered by every column: equal tables give equal checksums.
_CHECKSUM = """
select count(*), coalesce(md5(string_agg(r.row_text, E'\\n' order by {order})), md5(''))
from (select {columns}, ({columns_again})::text as row_text from {table}) as r
"""


def table_checksum(postgres: PostgresResource, spec: TableSpec) -> tuple[int, str]:
    """``(row count, md5)`` of ``spec``'s table, without its volatile columns."""
    names = [c.name for c in spec.columns if c.name not in VOLATILE_COLUMNS]
    columns = sql.SQL(", ").join(map(sql.Identifier, names))
    # jsonb has no ordering that matches equality of text, so order by each column's text.
    order = sql.SQL(", ").join(sql.SQL("r.{}::text").format(sql.Identifier(name)) for name in names)
    query = sql.SQL(_CHECKSUM).format(
        columns=columns,
        columns_again=sql.SQL("row({})").format(columns),
        order=order,
        table=sql.Identifier(postgres.schema(spec.layer), spec.name),
    )
    with postgres.get_connection() as conn:
        count, digest = conn.execute(query).fetchone()
    return int(count), str(digest)


def checksums(
    postgres: PostgresResource, specs: Sequence[TableSpec] = (*SILVER_SPECS, *GOLD_SPECS)
) -> dict[str, tuple[int, str]]:
    """``{"silver.albums": (rows, md5), ...}`` for every silver and gold table."""
    return {f"{spec.layer}.{spec.name}": table_checksum(postgres, spec) for spec in specs}
