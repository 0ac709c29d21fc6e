"""A Postgres IO manager for pandas DataFrames: bulk loads, atomic writes, partitions.

Asset key ``[layer, table]`` is table ``<schema_prefix><layer>.<table>``. Every write is one
transaction on one connection, so a failure or a killed process leaves the previous table as it was:

* unpartitioned: load a staging table, then drop the old table and rename the staging one; readers
  see the old table or the new one.
* partitioned (``partition_expr`` metadata, as in dagster-duckdb): delete the slice, load the slice.
* ``write_mode: append`` metadata: load the rows, delete nothing (append-only history). With
  ``unique_key``, rows already stored are skipped; a frame's rows are looked up by key before the
  load, so an unchanged re-fetch is not even sent.

``fetch_log`` metadata (bronze): the output's ``fetched`` metadata (what the step fetched) is
logged in ``<schema>.fetch_log`` under the run id, in the same transaction as the rows, so a
later step reads exactly what its own run stored.

``latest_key`` metadata (bronze; an SQL expression over the table's columns, like
``partition_expr``): ``<table>__latest`` holds each key's latest version (content hash and
``fetched_at``), moved forward in the write's transaction, so readers of current records join it
instead of sorting the whole history.

A ``FrameStream`` (``warehouse/frame_stream.py``) instead of a DataFrame is loaded batch by batch
in the same one transaction, so an asset never holds all its rows; streams go to append tables.

Loads stream Arrow batches through ADBC's binary COPY. A column added to the DataFrame is added to
the table; a type change that existing rows cannot follow fails before anything is written.
"""

import contextlib
import dataclasses
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import adbc_driver_manager
import pandas as pd
import psycopg
import pyarrow as pa
from dagster import (
    ConfigurableIOManager,
    DagsterExecutionInterruptedError,
    Failure,
    InputContext,
    MetadataValue,
    MultiPartitionsDefinition,
    OutputContext,
    TableColumn,
    TableSchema,
    TimeWindowPartitionsDefinition,
)
from pydantic import Field

from spotify_assets.io_managers.postgres import client
from spotify_assets.io_managers.postgres.client import PartitionDimension, TableSlice
from spotify_assets.io_managers.postgres.pandas_handler import (
    DEFAULT_DTYPES,
    ColumnType,
    DataFrameSchemaError,
    arrow_type,
    base_type,
    column_types,
    nullable_dtype,
    prefetched,
    record_batches,
    restore_frame,
)
from spotify_assets.warehouse import ddl
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream
from spotify_assets.warehouse.sql_files import load_sql
from spotify_assets.warehouse.table_metadata import table_metadata

WRITE_MODES = ("replace", "append")

# unique_violation and duplicate_table: what a CREATE racing another transaction's CREATE raises.
_DUPLICATE_TABLE = {"23505", "42P07"}

# Types a column may move to while keeping the values already stored.
_WIDENINGS = {
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("integer", "bigint"),
    ("real", "double precision"),
}


def _compatible(table_type: str, frame_type: str) -> bool:
    table_base = base_type(table_type)
    return table_base == frame_type or (frame_type, table_base) in _WIDENINGS


def _declared_columns(metadata: Mapping[str, Any]) -> list[TableColumn]:
    schema = metadata.get("dagster/column_schema")
    schema = getattr(schema, "schema", schema)
    return list(schema.columns) if isinstance(schema, TableSchema) else []


def declared_types(metadata: Mapping[str, Any]) -> dict[str, str]:
    """Column types from ``dagster/column_schema``: they decide columns whose values cannot (all null)."""
    return {col.name: col.type.lower() for col in _declared_columns(metadata)}


def declared_not_null(metadata: Mapping[str, Any]) -> set[str]:
    """Columns the asset's column schema declares non-nullable; they become NOT NULL columns."""
    return {col.name for col in _declared_columns(metadata) if not col.constraints.nullable}


def _unique_key(metadata: Mapping[str, Any], write_mode: str, obj: pd.DataFrame) -> tuple[str, ...]:
    key = tuple(metadata.get("unique_key") or ())
    if key and write_mode != "append":
        raise ValueError(
            "'unique_key' metadata skips rows already stored, so it needs write_mode 'append'; "
            "add metadata={'write_mode': 'append', ...} or remove 'unique_key'."
        )
    missing = [name for name in key if name not in obj.columns]
    if missing:
        raise DataFrameSchemaError(
            f"'unique_key' names columns {missing} that the DataFrame lacks."
        )
    return key


def _latest_key(metadata: Mapping[str, Any], unique_key: Sequence[str]) -> str | None:
    """``latest_key`` metadata: the SQL expression (from asset code) naming a row's version key."""
    key = _value(metadata.get("latest_key"))
    if key and not unique_key:
        raise ValueError(
            "'latest_key' metadata points at the latest version of each key among kept rows, so "
            "it needs 'unique_key' (and write_mode 'append'); add both, or remove 'latest_key'."
        )
    return str(key) if key else None


def _text_array(values: Sequence[str]) -> str:
    """A PostgreSQL text[] literal: ADBC binds no Arrow lists, so arrays travel as text."""
    return (
        "{"
        + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "}"
    )


def _indexes(metadata: Mapping[str, Any], obj: pd.DataFrame) -> list[tuple[str, ...]]:
    """``indexes`` metadata: column lists to index, so lookups into kept rows stay cheap."""
    indexes = [tuple(columns) for columns in _value(metadata.get("indexes")) or ()]
    missing = sorted({name for columns in indexes for name in columns} - set(obj.columns))
    if missing:
        raise DataFrameSchemaError(f"'indexes' names columns {missing} that the DataFrame lacks.")
    return indexes


def _value(entry: object) -> object:
    """A metadata entry as a plain value, whether Dagster normalized it or not."""
    return getattr(entry, "value", entry)


def _fetched(context: OutputContext, metadata: Mapping[str, Any]) -> object:
    """What the step fetched, from its ``fetched`` output metadata (an asset with ``fetch_log``)."""
    entry = metadata.get("fetched")
    if entry is None:
        raise ValueError(
            f"Asset {context.asset_key.to_user_string()} has 'fetch_log' metadata, so its output "
            "must carry 'fetched' metadata (what the step fetched); add it with "
            "context.add_output_metadata({'fetched': {...}})."
        )
    return _value(entry)


def column_descriptions(metadata: Mapping[str, Any]) -> dict[str, str]:
    """Column descriptions from the asset's ``dagster/column_schema`` definition metadata."""
    return {col.name: col.description for col in _declared_columns(metadata) if col.description}


def _partition_dimensions(
    context: OutputContext | InputContext, partition_expr: object
) -> tuple[PartitionDimension, ...]:
    partitions_def = context.asset_partitions_def
    if partition_expr is None:
        raise ValueError(
            f"Asset {context.asset_key.to_user_string()} is partitioned but has no 'partition_expr' "
            "metadata naming the column that holds the partition; add e.g. "
            'metadata={"partition_expr": "release_date"} to the asset.'
        )
    if isinstance(partitions_def, MultiPartitionsDefinition):
        if not isinstance(partition_expr, Mapping):
            raise ValueError(
                f"Asset {context.asset_key.to_user_string()} has multi-partitions, so 'partition_expr' "
                "must map each dimension name to a column, e.g. "
                '{"date": "played_on", "market": "market"}.'
            )
        keys = context.asset_partition_keys
        dimensions = []
        for dimension in partitions_def.partitions_defs:
            expr = partition_expr.get(dimension.name)
            if expr is None:
                raise ValueError(
                    f"'partition_expr' of asset {context.asset_key.to_user_string()} has no entry for "
                    f"partition dimension '{dimension.name}'; add the column that holds it."
                )
            values = sorted({key.keys_by_dimension[dimension.name] for key in keys})
            dimensions.append(_dimension(expr, dimension.partitions_def, values))
        return tuple(dimensions)
    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        window = context.asset_partitions_time_window
        return (PartitionDimension(str(partition_expr), start=window.start, end=window.end),)
    return (PartitionDimension(str(partition_expr), keys=tuple(context.asset_partition_keys)),)


def _dimension(expr: str, partitions_def: object, keys: Sequence[str]) -> PartitionDimension:
    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        windows = [partitions_def.time_window_for_partition_key(key) for key in keys]
        return PartitionDimension(
            expr, start=min(w.start for w in windows), end=max(w.end for w in windows)
        )
    return PartitionDimension(expr, keys=tuple(keys))


def _rows_outside(df: pd.DataFrame, dim: PartitionDimension) -> pd.Series | None:
    """Rows of ``df`` outside the slice, when ``partition_expr`` is a plain column we can check."""
    if dim.expr not in df.columns:
        return None
    values = df[dim.expr]
    if not dim.is_time_window:
        return values[~values.astype(str).isin(dim.keys) | values.isna()]
    assert dim.start is not None and dim.end is not None
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        start, end = pd.Timestamp(dim.start), pd.Timestamp(dim.end)
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        start, end = (
            pd.Timestamp(dim.start.replace(tzinfo=None)),
            pd.Timestamp(dim.end.replace(tzinfo=None)),
        )
    elif pd.api.types.infer_dtype(values, skipna=True) == "date":
        start, end = dim.start.date(), dim.end.date()
    else:
        return None
    inside = values.map(lambda v: v is not None and not pd.isna(v) and start <= v < end).astype(
        bool
    )
    return values[~inside]


@contextlib.contextmanager
def _producer_errors(frames: "_Frames") -> Iterator[None]:
    """Raise the producer's own error, not the driver's report of it (the transaction is gone)."""
    try:
        yield
    except Exception:
        if frames.error is not None:
            raise frames.error from None
        raise


@contextlib.contextmanager
def _interrupt_ends_the_step(table_slice: TableSlice) -> Iterator[None]:
    """A terminate request during a write fails the step for good, the write rolled back.

    Dagster turns the interrupt of a step that has a retry policy into a retry, here too, so a
    terminated run whose step was loading rows (a stream is fetched while it loads) would go on.
    """
    try:
        yield
    except DagsterExecutionInterruptedError as exc:
        raise Failure(
            description=f"The run was terminated while {table_slice.name} was being written; "
            "nothing was stored.",
            allow_retries=False,
        ) from exc


class _Frames:
    """The frames of one output: the first at hand (it decides the columns), then the rest.

    Each frame is let go once handed on, so a stream holds one batch at a time, not the first
    for the whole load.
    """

    def __init__(self, batches: Iterator[pd.DataFrame]) -> None:
        self._rest = batches
        self.first = next(batches, None)
        if self.first is None:
            raise DataFrameSchemaError(
                "The FrameStream yielded no DataFrame; yield at least one, empty if need be, so "
                "the table's columns are known."
            )
        self.rows = 0
        self.count = 0
        self.error: BaseException | None = None

    def checked(
        self, columns: Sequence[ColumnType], declared: Mapping[str, str]
    ) -> "_CheckedFrames":
        return _CheckedFrames(self, columns, declared)


class _CheckedFrames:
    """The frames once, each checked to have the first's columns and types, rows counted."""

    def __init__(
        self, frames: _Frames, columns: Sequence[ColumnType], declared: Mapping[str, str]
    ) -> None:
        self.frames, self._columns, self._declared = frames, columns, declared

    def __iter__(self) -> Iterator[pd.DataFrame]:
        try:
            yield from self._checked()
        except BaseException as exc:
            # ADBC reports an error in the batches it pulls as its own; handle_output raises this.
            self.frames.error = exc
            raise

    def _checked(self) -> Iterator[pd.DataFrame]:
        frames = self.frames
        assert frames.first is not None
        held, frames.first = [frames.first], None
        wanted = {col.name: col.pg_type for col in self._columns}
        for frame in _held_then_rest(held, frames._rest):
            # The first decided the columns; an empty batch has no values to type them by.
            if frames.count and len(frame):
                found = {col.name: col.pg_type for col in column_types(frame, self._declared)}
                if found != wanted:
                    raise DataFrameSchemaError(
                        f"Batch {frames.count + 1} of the FrameStream has columns {found}, the "
                        f"first had {wanted}; every batch must have the same columns and types."
                    )
            elif list(frame.columns) != list(wanted):
                raise DataFrameSchemaError(
                    f"Batch {frames.count + 1} of the FrameStream has columns "
                    f"{list(frame.columns)}, the first had {list(wanted)}."
                )
            frames.rows += len(frame)
            frames.count += 1
            yield frame
            del frame  # not held while the next batch is produced


def _held_then_rest(
    held: list[pd.DataFrame], rest: Iterator[pd.DataFrame]
) -> Iterator[pd.DataFrame]:
    """The one frame in ``held``, then ``rest``; unlike ``itertools.chain``, which keeps its
    arguments, nothing holds the frame once handed on."""
    yield held.pop()
    yield from rest


def _arrow_batches(
    frames: Iterator[pd.DataFrame], columns: Sequence[ColumnType], schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    for frame in frames:
        yield from record_batches(frame, columns, schema)
        del frame  # not held while the next batch is produced


class PostgresPandasIOManager(ConfigurableIOManager):
    """Stores pandas DataFrames as PostgreSQL tables named by asset key (``[layer, table]``)."""

    postgres: PostgresResource = Field(
        description="The database, and the schema prefix of every layer."
    )

    def _table_slice(
        self, context: OutputContext | InputContext, definition_metadata: Mapping[str, Any]
    ) -> TableSlice:
        path = context.asset_key.path
        layer = path[-2] if len(path) > 1 else "public"
        partitions: tuple[PartitionDimension, ...] = ()
        if context.has_asset_partitions:
            partitions = _partition_dimensions(context, definition_metadata.get("partition_expr"))
        columns = (
            (context.definition_metadata or {}).get("columns")
            if isinstance(context, InputContext)
            else None
        )
        return TableSlice(
            schema=self.postgres.schema(layer),
            table=path[-1],
            columns=tuple(columns) if columns else None,
            partitions=partitions,
        )

    # -- writing -----------------------------------------------------------------------------

    def handle_output(self, context: OutputContext, obj: pd.DataFrame | FrameStream) -> None:
        if not isinstance(obj, pd.DataFrame | FrameStream):
            raise TypeError(
                f"Asset {context.asset_key.to_user_string()} returned {type(obj).__name__}; the Postgres IO "
                "manager stores pandas DataFrames (or a FrameStream of them). Return a DataFrame, or give "
                "the output another IO manager."
            )
        metadata = context.definition_metadata or {}
        write_mode = metadata.get("write_mode", "replace")
        if write_mode not in WRITE_MODES:
            raise ValueError(
                f"'write_mode' metadata must be one of {WRITE_MODES}, got {write_mode!r}."
            )
        table_slice = self._table_slice(context, metadata)
        stream = obj if isinstance(obj, FrameStream) else None
        if stream is not None and (write_mode != "append" or table_slice.partitions):
            raise ValueError(
                f"Asset {context.asset_key.to_user_string()} returned a FrameStream, which the IO manager "
                "appends; give the asset metadata={'write_mode': 'append'} and no partitions, or return "
                "one DataFrame."
            )
        frames = _Frames(stream.batches if stream is not None else iter([obj]))
        first = frames.first
        not_null = declared_not_null(metadata)
        columns = [
            dataclasses.replace(col, nullable=False) if col.name in not_null else col
            for col in column_types(first, declared_types(metadata))
        ]
        for dim in table_slice.partitions:
            outside = _rows_outside(first, dim)
            if outside is not None and len(outside):
                raise DataFrameSchemaError(
                    f"{len(outside)} of {len(first)} rows for {table_slice.name} have '{dim.expr}' outside the "
                    f"partition being written (e.g. {outside.head(3).tolist()}); return only that partition's rows."
                )
        unique_key = _unique_key(metadata, write_mode, first)
        latest_key = _latest_key(metadata, unique_key)
        indexes = _indexes(metadata, first)
        del first  # the load takes it from frames, and lets it go once loaded
        descriptions = column_descriptions(metadata)
        keeps_rows = bool(table_slice.partitions) or write_mode == "append"
        logs_fetch = bool(_value(metadata.get("fetch_log")))
        if logs_fetch and stream is None:
            _fetched(context, context.output_metadata or {})  # fail before writing anything

        with self.postgres.get_connection() as conn:
            self.postgres.ensure_schema(
                table_slice.schema,
                f"{self.postgres.schema_prefix}{client.DTYPES_SCHEMA}",
                connection=conn,
            )
            with conn.transaction():
                conn.execute(client.create_dtypes_table_statement(self.postgres.schema_prefix))
            if logs_fetch:
                self._create_fetch_log(conn, table_slice.schema)

        with (
            _interrupt_ends_the_step(table_slice),
            _producer_errors(frames),
            self.postgres.get_adbc_connection() as conn,
            conn.cursor() as cursor,
        ):
            existing = self._existing_columns(cursor, table_slice)
            self._check_compatible(table_slice, existing, columns, keeps_rows)
            batches = frames.checked(columns, declared_types(metadata))
            if keeps_rows:
                written = self._write_keeping_rows(
                    cursor, table_slice, batches, columns, existing, unique_key, latest_key
                )
                for indexed in indexes:
                    cursor.execute(client.index_statement(table_slice, indexed))
            else:
                self._replace(cursor, table_slice, batches, columns)
                written = frames.rows
            final = self._existing_columns(cursor, table_slice)
            self._store_dtypes(cursor, table_slice, columns, final, replace=not keeps_rows)
            self._comment(cursor, table_slice, self._asset_description(context), descriptions)
            produced = stream.metadata if stream is not None else context.output_metadata or {}
            if logs_fetch:
                self._log_fetch(cursor, table_slice, context.run_id, _fetched(context, produced))
            if keeps_rows:
                cursor.execute(f"select count(*) from {ddl.render(table_slice.identifier)}")
                row_count = cursor.fetchone()[0]
            else:
                row_count = frames.rows  # the new table holds exactly the frame

        select_sql, _ = client.select_statement(
            table_slice, {name: t for name, (t, _) in final.items()}
        )
        context.add_output_metadata(
            {
                **(stream.metadata if stream is not None else {}),
                **table_metadata(table_slice.name, row_count, final, descriptions),
                **({"dagster/partition_row_count": frames.rows} if table_slice.partitions else {}),
                "rows_written": written,
                **({"rows_skipped_as_duplicates": frames.rows - written} if unique_key else {}),
                **({"batches_loaded": frames.count} if stream is not None else {}),
                "write_mode": "partition" if table_slice.partitions else write_mode,
                "query": MetadataValue.md(f"```sql\n{select_sql}\n```"),
            }
        )

    def _create_fetch_log(self, conn: psycopg.Connection, schema: str) -> None:
        # Its own transaction, before the rows': concurrent first writers may race to create it.
        with (
            contextlib.suppress(psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable),
            conn.transaction(),
        ):
            self.postgres.run_sql_file(
                "bronze/create_fetch_log", identifiers={"bronze": schema}, connection=conn
            )

    @staticmethod
    def _log_fetch(cursor: Any, table_slice: TableSlice, run_id: str, fetched: object) -> None:
        statement = load_sql("bronze/upsert_fetch_log", {"bronze": table_slice.schema})
        cursor.execute(
            client.render(statement), parameters=[run_id, table_slice.table, json.dumps(fetched)]
        )

    @staticmethod
    def _asset_description(context: OutputContext) -> str | None:
        try:
            return context.asset_spec.description
        except Exception:
            return None

    @staticmethod
    def _existing_columns(cursor: Any, table_slice: TableSlice) -> dict[str, tuple[str, bool]]:
        cursor.execute(
            ddl.existing_columns_query(), parameters=[table_slice.schema, table_slice.table]
        )
        return {name: (pg_type, nullable) for name, pg_type, nullable in cursor.fetchall()}

    @staticmethod
    def _check_compatible(
        table_slice: TableSlice,
        existing: Mapping[str, tuple[str, bool]],
        columns: Sequence[ColumnType],
        keeps_rows: bool,
    ) -> None:
        for col in columns:
            if col.name in existing and not _compatible(existing[col.name][0], col.pg_type):
                raise DataFrameSchemaError(
                    f"Column '{col.name}' of {table_slice.name} is {existing[col.name][0]} in the table but "
                    f"{col.pg_type} (dtype {col.dtype}) in the DataFrame. Cast the column back to a compatible "
                    f"dtype, or drop the table (drop table {ddl.render(table_slice.identifier)}) to recreate it."
                )
        if keeps_rows:
            present = {col.name for col in columns}
            required = [
                name
                for name, (_, nullable) in existing.items()
                if not nullable and name not in present
            ]
            if required:
                raise DataFrameSchemaError(
                    f"{table_slice.name} requires columns {required} (NOT NULL), which the DataFrame lacks; add them."
                )

    def _replace(
        self,
        cursor: Any,
        table_slice: TableSlice,
        obj: Iterable[pd.DataFrame],
        columns: Sequence[ColumnType],
    ) -> None:
        staging = ddl.staging_name(table_slice.table)
        cursor.execute(client.create_table_statement(table_slice.schema, staging, columns))
        self._load(cursor, table_slice.schema, staging, obj, columns, {})
        for statement in ddl.swap_statements(table_slice.schema, table_slice.table, staging):
            cursor.execute(statement)

    @staticmethod
    def _create(cursor: Any, statement: str) -> bool:
        """Create a table; False when a concurrent transaction created it first."""
        cursor.execute("savepoint create_table")
        try:
            cursor.execute(statement)
        except adbc_driver_manager.Error as exc:
            if getattr(exc, "sqlstate", None) not in _DUPLICATE_TABLE:
                raise
            cursor.execute("rollback to savepoint create_table")
            return False
        cursor.execute("release savepoint create_table")
        return True

    def _write_keeping_rows(
        self,
        cursor: Any,
        table_slice: TableSlice,
        obj: "_CheckedFrames",
        columns: Sequence[ColumnType],
        existing: Mapping[str, tuple[str, bool]],
        unique_key: Sequence[str],
        latest_key: str | None,
    ) -> int:
        """Partition and append writes: evolve the table, replace the slice, load; rows written."""
        created = not existing and self._create(
            cursor, client.create_table_statement(table_slice.schema, table_slice.table, columns)
        )
        if created:
            table_types = {col.name: col.pg_type for col in columns}
        else:
            # The table exists (perhaps created a moment ago by a concurrent partition writer).
            existing = self._existing_columns(cursor, table_slice)
            self._check_compatible(table_slice, existing, columns, keeps_rows=True)
            for col in columns:
                if col.name not in existing:
                    cursor.execute(client.add_column_statement(table_slice, col))
                elif col.nullable and not existing[col.name][1]:
                    cursor.execute(client.drop_not_null_statement(table_slice, col.name))
            table_types = {name: pg_type for name, (pg_type, _) in existing.items()}
        if table_slice.partitions:
            statement, params = client.delete_statement(table_slice, table_types)
            cursor.execute(statement, parameters=params)
        if not unique_key:
            self._load(cursor, table_slice.schema, table_slice.table, obj, columns, table_types)
            return obj.frames.rows
        cursor.execute(client.unique_index_statement(table_slice, unique_key))
        incoming = f"incoming_{uuid.uuid4().hex[:8]}"
        cursor.execute(client.create_temp_table_statement(incoming, columns, table_types))
        with self._unstored_rows(table_slice, unique_key, table_types, created) as unstored:
            self._load(cursor, None, incoming, obj, columns, table_types, keep=unstored)
        cursor.execute(client.insert_new_rows_statement(table_slice, incoming, columns, unique_key))
        written = cursor.rowcount
        if latest_key:
            self._point_to_latest(cursor, table_slice, latest_key, incoming, fresh=created)
        return written

    @contextlib.contextmanager
    def _unstored_rows(
        self,
        table_slice: TableSlice,
        unique_key: Sequence[str],
        table_types: Mapping[str, str],
        created: bool,
    ) -> Iterator[Callable[[pd.DataFrame], pd.DataFrame] | None]:
        """A filter of each frame to the rows whose unique key the table does not hold yet.

        The insert would drop the others anyway, and would leave ``<table>__latest`` as it is:
        an already stored row counts with its stored ``fetched_at``. Dropping them before the
        load spares converting, sending and parsing them; a re-fetch of unchanged objects (every
        playlist, every run) loads nothing. The lookups run on a connection of their own, since
        the write's is busy with the COPY; they see committed rows, and the insert still decides.
        None (no filter) for a table created by this write.
        """
        if created:
            yield None
            return
        statement = client.stored_keys_statement(table_slice, unique_key, table_types)
        with self.postgres.get_connection() as conn:

            def unstored(frame: pd.DataFrame) -> pd.DataFrame:
                if not len(frame):
                    return frame
                keys = frame[list(unique_key)]
                stored = conn.execute(statement, [keys[name].tolist() for name in unique_key])
                found = pd.DataFrame(stored.fetchall(), columns=list(unique_key))
                if not len(found):
                    return frame
                held = pd.MultiIndex.from_frame(keys).isin(pd.MultiIndex.from_frame(found))
                return frame[~held]

            yield unstored

    def _point_to_latest(
        self, cursor: Any, table_slice: TableSlice, key: str, incoming: str, fresh: bool
    ) -> None:
        """Keep ``<table>__latest`` (``latest_key`` metadata) current for this write's rows.

        Readers of the latest version per key join it to the table by content hash, so their cost
        follows the number of keys, not the history kept. A missing pointer table (a table from
        before it, or just created) is filled from every stored row.
        """
        latest = client.latest_table(table_slice)
        cursor.execute(ddl.table_exists_query(), parameters=[latest.schema, latest.table])
        if fresh or not cursor.fetchone()[0]:
            # A pointer table left by a dropped table would point at rows that are gone.
            cursor.execute(f"drop table if exists {ddl.render(latest.identifier)}")
            if self._create(cursor, client.create_latest_statement(table_slice)):
                cursor.execute(client.upsert_latest_statement(table_slice, key, None))
                return
        cursor.execute(client.upsert_latest_statement(table_slice, key, incoming))

    @staticmethod
    def _load(
        cursor: Any,
        schema: str | None,
        table: str,
        obj: Iterable[pd.DataFrame],
        columns: Sequence[ColumnType],
        table_types: Mapping[str, str],
        keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    ) -> None:
        """Stream the rows of every frame in one COPY (``schema`` None: a temporary table); each
        column is sent as the table's own type, which binary COPY needs. ``keep`` narrows each
        frame after the first has decided the Arrow types."""
        frames = iter(obj)
        first = next(frames)
        fields = [
            pa.field(
                col.name,
                arrow_type(col, first[col.name], base_type(table_types.get(col.name, col.pg_type))),
            )
            for col in columns
        ]
        arrow_schema = pa.schema(fields)
        held = [first]
        del first
        rows = _held_then_rest(held, frames)
        batches = _arrow_batches(map(keep, rows) if keep else rows, columns, arrow_schema)
        reader = pa.RecordBatchReader.from_batches(arrow_schema, prefetched(batches))
        if schema is None:
            cursor.adbc_ingest(table, reader, mode="append", temporary=True)
        else:
            cursor.adbc_ingest(table, reader, mode="append", db_schema_name=schema)

    def _store_dtypes(
        self,
        cursor: Any,
        table_slice: TableSlice,
        columns: Sequence[ColumnType],
        final: Mapping[str, tuple[str, bool]],
        replace: bool,
    ) -> None:
        """Record each written column's pandas dtype; ``final`` is the table's columns after it."""
        prefix = self.postgres.schema_prefix
        key = [table_slice.schema, table_slice.table]
        if replace:
            cursor.execute(client.clear_dtypes_statement(prefix), parameters=key)
        # A column that also holds other writes' NULLs reads back as the nullable twin.
        dtypes = [nullable_dtype(col.dtype) if final[col.name][1] else col.dtype for col in columns]
        cursor.execute(
            client.upsert_dtypes_statement(prefix),
            parameters=[*key, _text_array([col.name for col in columns]), _text_array(dtypes)],
        )

    @staticmethod
    def _comment(
        cursor: Any,
        table_slice: TableSlice,
        description: str | None,
        descriptions: Mapping[str, str],
    ) -> None:
        # COMMENT takes a lock that concurrent partition writers would queue on; write only changes.
        cursor.execute(
            ddl.table_comments_query(), parameters=[table_slice.schema, table_slice.table]
        )
        current = dict(cursor.fetchall())
        wanted_table = description if description and current.get("") != description else None
        wanted_columns = {
            name: text
            for name, text in descriptions.items()
            if name in current and current[name] != text
        }
        for statement in ddl.comment_statements(
            table_slice.schema, table_slice.table, wanted_table, wanted_columns
        ):
            cursor.execute(statement)

    # -- reading -----------------------------------------------------------------------------

    def load_input(self, context: InputContext) -> pd.DataFrame:
        upstream = context.upstream_output
        upstream_metadata = (upstream.definition_metadata if upstream is not None else None) or {}
        table_slice = self._table_slice(context, upstream_metadata)
        with self.postgres.get_adbc_connection() as conn, conn.cursor() as cursor:
            existing = self._existing_columns(cursor, table_slice)
            if not existing:
                raise FileNotFoundError(
                    f"Table {table_slice.name} does not exist; materialize asset "
                    f"{context.asset_key.to_user_string()} first."
                )
            missing = [name for name in table_slice.columns or () if name not in existing]
            if missing:
                raise KeyError(
                    f"{table_slice.name} has no columns {missing}; it has {list(existing)}."
                )
            dtypes = {
                name: DEFAULT_DTYPES.get((base_type(t), nullable), "object")
                for name, (t, nullable) in existing.items()
            }
            dtypes.update(self._stored_dtypes(cursor, table_slice))
            statement, params = client.select_statement(
                table_slice, {name: t for name, (t, _) in existing.items()}
            )
            cursor.execute(statement, parameters=params or None)
            return restore_frame(cursor.fetch_record_batch(), dtypes)

    def _stored_dtypes(self, cursor: Any, table_slice: TableSlice) -> dict[str, str]:
        prefix = self.postgres.schema_prefix
        cursor.execute(
            ddl.table_exists_query(),
            parameters=[f"{prefix}{client.DTYPES_SCHEMA}", client.DTYPES_TABLE],
        )
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute(
            client.read_dtypes_statement(prefix), parameters=[table_slice.schema, table_slice.table]
        )
        return dict(cursor.fetchall())
