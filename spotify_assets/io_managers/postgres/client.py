"""The SQL the Postgres IO manager runs: table slices, schema changes, loads and the read.

The DDL it shares with the SQL-built assets (staging, swap, comments, existence) is in
:mod:`spotify_assets.warehouse.ddl`.

Statements are composed with psycopg's ``sql`` module, so identifiers are always quoted, and carry
values as ``$n`` parameters for the ADBC driver. ``partition_expr`` is quoted when it names a column
and used as written (it comes from asset code, never from users) when it is an expression.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from psycopg import sql

from spotify_assets.io_managers.postgres.pandas_handler import ColumnType
from spotify_assets.warehouse.ddl import render

DTYPES_SCHEMA = "dagster_io"
DTYPES_TABLE = "pandas_dtypes"


@dataclass(frozen=True)
class PartitionDimension:
    """One partition dimension of a slice: a time window ``[start, end)`` or a set of keys."""

    expr: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    keys: tuple[str, ...] = ()

    @property
    def is_time_window(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class TableSlice:
    schema: str
    table: str
    columns: tuple[str, ...] | None = None
    partitions: tuple[PartitionDimension, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def identifier(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.table)


@dataclass
class Query:
    """SQL text with ``$n`` placeholders and their values, built up piece by piece."""

    params: list[object] = field(default_factory=list)

    def bind(self, value: object, cast: str | None = None) -> sql.Composable:
        self.params.append(value)
        placeholder = f"${len(self.params)}"
        return sql.SQL(f"{placeholder}::{cast}" if cast else placeholder)


def _target(expr: str, column_types: Mapping[str, str]) -> tuple[sql.Composable, str | None]:
    if expr in column_types:
        return sql.Identifier(expr), column_types[expr]
    return sql.SQL(f"({expr})"), None


def _window_bound(moment: dt.datetime, pg_type: str | None) -> object:
    # Compare like with like: a date or naive timestamp column holds wall-clock values in the
    # partition's time zone, a timestamptz column holds instants.
    if pg_type == "date":
        return moment.date()
    if pg_type == "timestamp without time zone":
        return moment.replace(tzinfo=None)
    return moment


def slice_predicate(
    table_slice: TableSlice, column_types: Mapping[str, str], query: Query
) -> sql.Composable:
    """The WHERE condition selecting exactly the slice's partitions (``true`` when unpartitioned)."""
    conditions: list[sql.Composable] = []
    for dim in table_slice.partitions:
        target, pg_type = _target(dim.expr, column_types)
        if dim.is_time_window:
            assert dim.start is not None and dim.end is not None
            conditions.append(
                sql.SQL("{} >= {} and {} < {}").format(
                    target,
                    query.bind(_window_bound(dim.start, pg_type)),
                    target,
                    query.bind(_window_bound(dim.end, pg_type)),
                )
            )
        elif not dim.keys:
            conditions.append(sql.SQL("false"))
        else:
            if pg_type is None:
                target, cast = sql.SQL("{}::text").format(target), None
            else:
                cast = None if pg_type == "text" else pg_type
            keys = sql.SQL(", ").join(query.bind(key, cast) for key in dim.keys)
            conditions.append(sql.SQL("{} in ({})").format(target, keys))
    return sql.SQL(" and ").join(conditions) if conditions else sql.SQL("true")


def select_statement(
    table_slice: TableSlice, column_types: Mapping[str, str]
) -> tuple[str, list[object]]:
    query = Query()
    columns = (
        sql.SQL(", ").join(sql.Identifier(name) for name in table_slice.columns)
        if table_slice.columns
        else sql.SQL("*")
    )
    statement = sql.SQL("select {} from {}").format(columns, table_slice.identifier)
    if table_slice.partitions:
        statement = sql.SQL("{} where {}").format(
            statement, slice_predicate(table_slice, column_types, query)
        )
    return render(statement), query.params


def delete_statement(
    table_slice: TableSlice, column_types: Mapping[str, str]
) -> tuple[str, list[object]]:
    query = Query()
    statement = sql.SQL("delete from {} where {}").format(
        table_slice.identifier, slice_predicate(table_slice, column_types, query)
    )
    return render(statement), query.params


def create_table_statement(schema: str, table: str, columns: Sequence[ColumnType]) -> str:
    definitions = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(col.name), sql.SQL(col.ddl_type)) for col in columns
    )
    return render(
        sql.SQL("create table {} ({})").format(sql.Identifier(schema, table), definitions)
    )


def create_temp_table_statement(
    name: str, columns: Sequence[ColumnType], table_types: Mapping[str, str]
) -> str:
    """A session table (dropped at commit) with the target's column types, to stage rows in."""
    definitions = sql.SQL(", ").join(
        sql.SQL("{} {}").format(
            sql.Identifier(col.name), sql.SQL(table_types.get(col.name, col.pg_type))
        )
        for col in columns
    )
    return render(
        sql.SQL("create temporary table {} ({}) on commit drop").format(
            sql.Identifier(name), definitions
        )
    )


def unique_index_statement(table_slice: TableSlice, key: Sequence[str]) -> str:
    index = f"{table_slice.table[:48]}__unique_key"
    return render(
        sql.SQL("create unique index if not exists {} on {} ({})").format(
            sql.Identifier(index),
            table_slice.identifier,
            sql.SQL(", ").join(sql.Identifier(name) for name in key),
        )
    )


def index_statement(table_slice: TableSlice, columns: Sequence[str]) -> str:
    """A lookup index (``indexes`` metadata) on a table that keeps its rows."""
    index = f"{table_slice.table[:30]}__{'_'.join(columns)}"[:63]
    return render(
        sql.SQL("create index if not exists {} on {} ({})").format(
            sql.Identifier(index),
            table_slice.identifier,
            sql.SQL(", ").join(sql.Identifier(name) for name in columns),
        )
    )


def insert_new_rows_statement(
    table_slice: TableSlice, staged: str, columns: Sequence[ColumnType], key: Sequence[str]
) -> str:
    names = sql.SQL(", ").join(sql.Identifier(col.name) for col in columns)
    return render(
        sql.SQL("insert into {} ({}) select {} from {} on conflict ({}) do nothing").format(
            table_slice.identifier,
            names,
            names,
            sql.Identifier(staged),
            sql.SQL(", ").join(sql.Identifier(name) for name in key),
        )
    )


def stored_keys_statement(
    table_slice: TableSlice, key: Sequence[str], table_types: Mapping[str, str]
) -> str:
    """Which of the given unique keys (one array parameter per key column) the table holds."""
    names = sql.SQL(", ").join(sql.Identifier(name) for name in key)
    return render(
        sql.SQL(
            "select {names} from {table} join unnest({arrays}) as given ({names}) using ({names})"
        ).format(
            names=names,
            table=table_slice.identifier,
            arrays=sql.SQL(", ").join(
                sql.SQL("%s::{}[]").format(sql.SQL(table_types[name])) for name in key
            ),
        )
    )


def latest_table(table_slice: TableSlice) -> TableSlice:
    """The table holding, per ``latest_key``, the content hash of the latest stored version."""
    return TableSlice(schema=table_slice.schema, table=f"{table_slice.table[:55]}__latest")


def create_latest_statement(table_slice: TableSlice) -> str:
    return render(
        sql.SQL(
            "create table if not exists {} (key text primary key, content_hash text not null, "
            "fetched_at timestamp with time zone not null)"
        ).format(latest_table(table_slice).identifier)
    )


def upsert_latest_statement(table_slice: TableSlice, key_expr: str, staged: str | None) -> str:
    """Move each key's pointer to the newest stored version among the rows of ``staged`` (a
    write's incoming rows; None: every row, to fill a new pointer table).

    Newest as silver reads it: latest ``fetched_at``, then the smallest content hash. Rows of
    ``staged`` already stored count with their stored ``fetched_at``, so re-fetching an old version
    does not make it current again, just as a scan of the whole history would decide.
    """
    scope = (
        sql.SQL(" where content_hash in (select content_hash from {})").format(
            sql.Identifier(staged)
        )
        if staged
        else sql.SQL("")
    )
    return render(
        sql.SQL(
            "insert into {latest} as l (key, content_hash, fetched_at) "
            "select distinct on (key) key, content_hash, fetched_at "
            "from (select ({key}) as key, content_hash, fetched_at from {table}{scope}) as v "
            "order by key, fetched_at desc, content_hash "
            "on conflict (key) do update "
            "set content_hash = excluded.content_hash, fetched_at = excluded.fetched_at "
            "where (excluded.fetched_at, l.content_hash) > (l.fetched_at, excluded.content_hash)"
        ).format(
            latest=latest_table(table_slice).identifier,
            key=sql.SQL(key_expr),
            table=table_slice.identifier,
            scope=scope,
        )
    )


def add_column_statement(table_slice: TableSlice, column: ColumnType) -> str:
    # Rows already in the table have no value for a new column, so it is added nullable.
    return render(
        sql.SQL("alter table {} add column if not exists {} {}").format(
            table_slice.identifier, sql.Identifier(column.name), sql.SQL(column.pg_type)
        )
    )


def drop_not_null_statement(table_slice: TableSlice, column: str) -> str:
    return render(
        sql.SQL("alter table {} alter column {} drop not null").format(
            table_slice.identifier, sql.Identifier(column)
        )
    )


def dtypes_table(schema_prefix: str) -> sql.Identifier:
    return sql.Identifier(f"{schema_prefix}{DTYPES_SCHEMA}", DTYPES_TABLE)


def create_dtypes_table_statement(schema_prefix: str) -> sql.Composable:
    return sql.SQL(
        "create table if not exists {} (table_schema text not null, table_name text not null, "
        "column_name text not null, dtype text not null, "
        "primary key (table_schema, table_name, column_name))"
    ).format(dtypes_table(schema_prefix))


def read_dtypes_statement(schema_prefix: str) -> str:
    return render(
        sql.SQL(
            "select column_name, dtype from {} where table_schema = $1 and table_name = $2"
        ).format(dtypes_table(schema_prefix))
    )


def clear_dtypes_statement(schema_prefix: str) -> str:
    return render(
        sql.SQL("delete from {} where table_schema = $1 and table_name = $2").format(
            dtypes_table(schema_prefix)
        )
    )


def upsert_dtypes_statement(schema_prefix: str) -> str:
    """Every column's dtype in one statement (``$3`` names, ``$4`` dtypes, as text arrays): one
    round trip whatever the number of columns."""
    return render(
        sql.SQL(
            "insert into {} (table_schema, table_name, column_name, dtype) "
            "select $1, $2, c.name, c.dtype "
            "from unnest($3::text[], $4::text[]) as c (name, dtype) "
            "on conflict (table_schema, table_name, column_name) do update set dtype = excluded.dtype"
        ).format(dtypes_table(schema_prefix))
    )
