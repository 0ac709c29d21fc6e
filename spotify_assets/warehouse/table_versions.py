"""Which version of a table a build read, so that a build whose inputs did not change can skip.

A table's version is its oid and its row count. Silver and gold tables are rebuilt by a swap,
which gives them a new oid; bronze tables are append-only with a unique content hash, so a fetch
that stored anything new grows them, and one that stored nothing leaves both numbers as they were.
Neither writer deletes single rows, so (oid, rows) changes whenever the content can have.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence

import psycopg
from psycopg import sql

_OID = (
    "select c.oid::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace "
    "where n.nspname = %s and c.relname = %s and c.relkind in ('r', 'p')"
)


def table_version(conn: psycopg.Connection, schema: str, table: str) -> str | None:
    """``<oid>:<rows>`` of ``schema.table``, or None when it does not exist."""
    found = conn.execute(_OID, [schema, table]).fetchone()
    if found is None:
        return None
    rows = conn.execute(
        sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table))
    ).fetchone()[0]
    return f"{found[0]}:{rows}"


def input_versions(
    conn: psycopg.Connection, tables: Sequence[tuple[str, str]]
) -> dict[str, str | None]:
    """Each input table's version by name (None: absent)."""
    return {f"{schema}.{table}": table_version(conn, schema, table) for schema, table in tables}


def inputs_version(
    conn: psycopg.Connection, tables: Sequence[tuple[str, str]], code_version: str
) -> str:
    """One hash of the code and of every input table's version (absent tables included)."""
    return digest([code_version, sorted(input_versions(conn, tables).items())])


def digest(value: object) -> str:
    """A short, stable hash of a JSON-serialisable value."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def code_version(texts: Iterable[str]) -> str:
    """The code version of an asset defined by ``texts`` (its SQL files, its spec)."""
    return digest(list(texts))
