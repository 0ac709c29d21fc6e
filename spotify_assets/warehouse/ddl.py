"""The DDL every writer of the warehouse shares: staging names, the swap, comments, existence.

Statements are composed with psycopg's ``sql`` module, so identifiers are always quoted. Queries
that take a schema and a table accept the driver's placeholders: ``$n`` for ADBC (the default),
``("%s", "%s")`` for psycopg.
"""

import uuid
from collections.abc import Mapping

from psycopg import sql

_ADBC = ("$1", "$2")


def render(statement: sql.Composable) -> str:
    return statement.as_string(None)


def staging_name(table: str) -> str:
    """A fresh name for a table built beside ``table`` and swapped in when complete."""
    return f"{table[:40]}__staging_{uuid.uuid4().hex[:8]}"


def swap_statements(schema: str, table: str, staging: str) -> list[str]:
    """Replace ``schema.table`` by ``schema.staging``; in one transaction readers see old or new.

    Two writers swapping in the same table take turns (a lock held until commit): otherwise, on a
    fresh warehouse, neither sees the other's uncommitted table to drop it, and the second rename
    fails on the name (two first runs at once).
    """
    return [
        render(
            sql.SQL("select pg_advisory_xact_lock(hashtext({}))").format(
                sql.Literal(f"{schema}.{table}")
            )
        ),
        render(sql.SQL("drop table if exists {}").format(sql.Identifier(schema, table))),
        render(
            sql.SQL("alter table {} rename to {}").format(
                sql.Identifier(schema, staging), sql.Identifier(table)
            )
        ),
    ]


def comment_statements(
    schema: str, table: str, description: str | None, column_descriptions: Mapping[str, str]
) -> list[str]:
    """COMMENT ON statements (utility statements take no parameters, so values are literals)."""
    statements = []
    if description:
        statements.append(
            render(
                sql.SQL("comment on table {} is {}").format(
                    sql.Identifier(schema, table), sql.Literal(description)
                )
            )
        )
    for column, text in column_descriptions.items():
        statements.append(
            render(
                sql.SQL("comment on column {} is {}").format(
                    sql.Identifier(schema, table, column), sql.Literal(text)
                )
            )
        )
    return statements


def table_comments_query() -> str:
    """The table's comment and its columns' comments, keyed by column name ('' for the table)."""
    return (
        "select '' as name, obj_description(c.oid, 'pg_class') as comment "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = $1 and c.relname = $2 "
        "union all "
        "select a.attname, col_description(c.oid, a.attnum) "
        "from pg_attribute a join pg_class c on c.oid = a.attrelid "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped"
    )


def table_exists_query(placeholders: tuple[str, str] = _ADBC) -> str:
    """One row, true when the schema holds a table or view of that name."""
    schema, table = placeholders
    return (
        "select exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        f"where n.nspname = {schema} and c.relname = {table} and c.relkind in ('r', 'p', 'v', 'm'))"
    )


def existing_columns_query(placeholders: tuple[str, str] = _ADBC) -> str:
    """Columns of a table in order: name, type as format_type prints it, nullable."""
    schema, table = placeholders
    return (
        "select a.attname, format_type(a.atttypid, a.atttypmod), not a.attnotnull "
        "from pg_attribute a join pg_class c on c.oid = a.attrelid "
        "join pg_namespace n on n.oid = c.relnamespace "
        f"where n.nspname = {schema} and c.relname = {table} and c.relkind in ('r', 'p') "
        "and a.attnum > 0 and not a.attisdropped order by a.attnum"
    )
