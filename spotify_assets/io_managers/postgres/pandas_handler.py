"""How pandas columns become PostgreSQL columns and Arrow batches, and how they come back.

PostgreSQL types alone cannot say whether a ``bigint`` was ``int64`` or ``Int64``, or a ``text`` column
``object`` or ``string``, or which time zone a ``timestamptz`` was shown in. So each column's pandas
dtype is stored beside the table (see ``client.DTYPES_TABLE``) and restored on read; non-nullable
dtypes also become ``NOT NULL`` columns. Tables written by SQL rather than by this IO manager are
read with a default dtype per PostgreSQL type.
"""

import decimal
import json
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from spotify_assets.warehouse.encoded_json import EncodedJson

BATCH_ROWS = 65_536

# PostgreSQL identifiers longer than this are silently truncated, which could merge two columns.
MAX_IDENTIFIER_LENGTH = 63

# Binary COPY of jsonb starts each value with a format version byte (1); ADBC sends bytes verbatim.
_JSONB_VERSION = b"\x01"

_NUMPY_INTS = {
    "int8": "smallint",
    "int16": "smallint",
    "int32": "integer",
    "int64": "bigint",
    "uint8": "smallint",
    "uint16": "integer",
    "uint32": "bigint",
}
_NULLABLE_INTS = {
    name.capitalize() if name[0] == "i" else "UInt" + name[4:]: pg
    for name, pg in _NUMPY_INTS.items()
}
_FLOATS = {"float32": "real", "float64": "double precision"}
_NULLABLE_FLOATS = {"Float32": "real", "Float64": "double precision"}

_OBJECT_KINDS = {
    "string": "text",
    "empty": "text",
    "date": "date",
    "decimal": "numeric",
    "bytes": "bytea",
}
_OBJECT_HINTS = {
    "integer": "convert it with .astype('Int64')",
    "floating": "convert it with .astype('float64')",
    "mixed-integer-float": "convert it with .astype('float64')",
    "boolean": "convert it with .astype('boolean')",
    "datetime": "convert it with pd.to_datetime(...)",
    "datetime64": "convert it with pd.to_datetime(...)",
}

ARROW_TYPES: Mapping[str, pa.DataType] = {
    "smallint": pa.int16(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "real": pa.float32(),
    "double precision": pa.float64(),
    "boolean": pa.bool_(),
    "text": pa.string(),
    "date": pa.date32(),
    "timestamp without time zone": pa.timestamp("us"),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "jsonb": pa.binary(),
    "bytea": pa.binary(),
}

# When a table has no stored dtypes (it was built by SQL), read each PostgreSQL type as this.
DEFAULT_DTYPES: Mapping[tuple[str, bool], str] = {
    ("smallint", True): "Int16",
    ("smallint", False): "int16",
    ("integer", True): "Int32",
    ("integer", False): "int32",
    ("bigint", True): "Int64",
    ("bigint", False): "int64",
    ("real", True): "float32",
    ("real", False): "float32",
    ("double precision", True): "float64",
    ("double precision", False): "float64",
    ("boolean", True): "boolean",
    ("boolean", False): "bool",
    ("date", True): "object:date",
    ("date", False): "object:date",
    ("timestamp without time zone", True): "datetime64[ns]",
    ("timestamp without time zone", False): "datetime64[ns]",
    ("timestamp with time zone", True): "datetime64[ns, UTC]",
    ("timestamp with time zone", False): "datetime64[ns, UTC]",
    ("numeric", True): "object:decimal",
    ("numeric", False): "object:decimal",
    ("jsonb", True): "object:json",
    ("jsonb", False): "object:json",
    ("json", True): "object:json",
    ("json", False): "object:json",
    ("bytea", True): "object:bytes",
    ("bytea", False): "object:bytes",
}

SUPPORTED = (
    "int8/16/32/64 and uint8/16/32 (nullable or not), float32/64 (and Float32/64), bool, boolean, "
    "object columns of str, datetime.date, Decimal, bytes or dict/list (JSON), string, "
    "datetime64 with or without a time zone"
)


class DataFrameSchemaError(ValueError):
    """The DataFrame cannot be written as it is; raised before anything is written."""


@dataclass(frozen=True)
class ColumnType:
    """One column as stored: its PostgreSQL type, nullability, and the pandas dtype to restore."""

    name: str
    pg_type: str
    nullable: bool
    dtype: str

    @property
    def ddl_type(self) -> str:
        return self.pg_type if self.nullable else f"{self.pg_type} not null"


# Declared types that settle an object column with no values to infer from.
_DECLARED_OBJECT_DTYPES = {
    "text": "object",
    "date": "object:date",
    "numeric": "object:decimal",
    "jsonb": "object:json",
    "bytea": "object:bytes",
}


def _object_column_type(name: str, series: pd.Series, declared: str | None) -> ColumnType:
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind == "empty" and declared in _DECLARED_OBJECT_DTYPES:
        return ColumnType(name, declared, True, _DECLARED_OBJECT_DTYPES[declared])
    if kind in _OBJECT_KINDS:
        logical = "object" if _OBJECT_KINDS[kind] == "text" else f"object:{_OBJECT_KINDS[kind]}"
        logical = {"object:numeric": "object:decimal", "object:bytea": "object:bytes"}.get(
            logical, logical
        )
        return ColumnType(name, _OBJECT_KINDS[kind], True, logical)
    if kind in ("mixed", "mixed-integer"):
        values = series.dropna()
        if all(isinstance(value, dict | list) for value in values):
            return ColumnType(name, "jsonb", True, "object:json")
        found = sorted({type(value).__name__ for value in values})
        raise DataFrameSchemaError(
            f"Column '{name}' mixes values of types {', '.join(found)}; a column must hold one type "
            "(dicts and lists together are stored as jsonb). Convert it to one type before returning it."
        )
    hint = _OBJECT_HINTS.get(kind, f"convert it to one of: {SUPPORTED}")
    raise DataFrameSchemaError(
        f"Column '{name}' is an object column of {kind} values, which has no PostgreSQL mapping; {hint}."
    )


def column_type(name: str, series: pd.Series, declared: str | None = None) -> ColumnType:
    dtype = series.dtype
    spec = str(dtype)
    if isinstance(dtype, pd.StringDtype):
        return ColumnType(name, "text", True, f"string[{dtype.storage}]")
    if spec in _NUMPY_INTS:
        return ColumnType(name, _NUMPY_INTS[spec], False, spec)
    if spec in _NULLABLE_INTS:
        return ColumnType(name, _NULLABLE_INTS[spec], True, spec)
    if spec in _FLOATS:
        return ColumnType(name, _FLOATS[spec], True, spec)
    if spec in _NULLABLE_FLOATS:
        return ColumnType(name, _NULLABLE_FLOATS[spec], True, spec)
    if spec == "bool":
        return ColumnType(name, "boolean", False, spec)
    if spec == "boolean":
        return ColumnType(name, "boolean", True, spec)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return ColumnType(name, "timestamp with time zone", True, spec)
    if spec.startswith("datetime64["):
        return ColumnType(name, "timestamp without time zone", True, spec)
    if spec == "object":
        return _object_column_type(name, series, declared)
    raise DataFrameSchemaError(
        f"Column '{name}' has dtype {spec}, which has no PostgreSQL mapping. Supported: {SUPPORTED}."
    )


def column_types(df: pd.DataFrame, declared: Mapping[str, str] | None = None) -> list[ColumnType]:
    """Each column's storage, after checking the names; the index is not stored.

    ``declared`` types (from the asset's column schema) settle object columns holding only nulls.
    """
    if len(df.columns) == 0:
        raise DataFrameSchemaError("The DataFrame has no columns; there is nothing to store.")
    names = list(df.columns)
    for name in names:
        if not isinstance(name, str) or not name:
            raise DataFrameSchemaError(
                f"Column name {name!r} is not a non-empty string; rename the columns to strings."
            )
        if len(name.encode()) > MAX_IDENTIFIER_LENGTH:
            raise DataFrameSchemaError(
                f"Column name '{name}' is longer than PostgreSQL's {MAX_IDENTIFIER_LENGTH} bytes; shorten it."
            )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DataFrameSchemaError(
            f"Duplicate column names {duplicates}; each column needs a unique name."
        )
    return [column_type(name, df[name], (declared or {}).get(name)) for name in names]


def _encode_json(name: str, value: object) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, EncodedJson):
        return _JSONB_VERSION + value.encoded
    try:
        return (
            _JSONB_VERSION + json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        )
    except (TypeError, ValueError) as exc:
        raise DataFrameSchemaError(
            f"Column '{name}' holds a value that is not JSON: {exc}."
        ) from None


def base_type(pg_type: str) -> str:
    """``numeric(10,2)`` -> ``numeric``; ``character varying(20)`` -> ``text`` (same binary format)."""
    base = pg_type.split("(", 1)[0]
    return "text" if base in {"character varying", "character"} else base


def arrow_type(column: ColumnType, series: pd.Series, pg_type: str) -> pa.DataType:
    """The Arrow type that loads ``series`` into a ``pg_type`` column (the table's, or the column's own)."""
    if pg_type == "numeric":
        # The narrowest decimal type that holds every value; PostgreSQL's numeric keeps any scale.
        inferred = pa.array(series.dropna(), from_pandas=True).type
        return inferred if pa.types.is_decimal(inferred) else pa.decimal128(38, 10)
    try:
        return ARROW_TYPES[pg_type]
    except KeyError:
        raise DataFrameSchemaError(
            f"Column '{column.name}' is stored as {pg_type}, which this IO manager cannot load."
        ) from None


def _to_arrow(column: ColumnType, series: pd.Series, type_: pa.DataType) -> pa.Array:
    if column.pg_type == "jsonb":
        return pa.array([_encode_json(column.name, value) for value in series.array], type_)
    if column.pg_type == "bytea":
        return pa.array([None if pd.isna(value) else bytes(value) for value in series.array], type_)
    # safe=False only lets nanoseconds round to PostgreSQL's microseconds.
    return pa.array(series, type=type_, from_pandas=True, safe=False)


def record_batches(
    df: pd.DataFrame, columns: Sequence[ColumnType], schema: pa.Schema, batch_rows: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """The DataFrame as Arrow batches, converted lazily so conversion overlaps the server's load."""
    for start in range(0, max(len(df), 1), batch_rows):
        chunk = df.iloc[start : start + batch_rows]
        arrays = [_to_arrow(col, chunk[col.name], schema.field(col.name).type) for col in columns]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def prefetched(batches: Iterator[pa.RecordBatch], depth: int = 2) -> Iterator[pa.RecordBatch]:
    """``batches`` converted on a worker thread, ``depth`` ahead of the load that consumes them.

    ADBC encodes and sends one batch while the next is converted (both release the GIL for most
    of their work); an error in the conversion is raised here, in the loading thread.
    """
    handoff: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        """Hand over ``item`` unless the consumer stopped; False once it has."""
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
        except BaseException as exc:
            put(exc)
        else:
            put(_DONE)

    worker = threading.Thread(target=produce, name="arrow-batches", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


_DONE = object()


def _storage(array: pa.ChunkedArray) -> pa.ChunkedArray:
    if isinstance(array.type, pa.ExtensionType):
        return pa.chunked_array([chunk.storage for chunk in array.chunks], array.type.storage_type)
    return array


def nullable_dtype(dtype: str) -> str:
    """The nullable twin of a numpy integer or bool dtype (``int64`` -> ``Int64``); others unchanged."""
    if dtype == "bool":
        return "boolean"
    if dtype in _NUMPY_INTS:
        return dtype.capitalize() if dtype.startswith("int") else "UInt" + dtype[4:]
    return dtype


def restore_series(array: pa.ChunkedArray, dtype: str) -> pd.Series:
    """One column read back as the pandas dtype it was written with."""
    if dtype in ("object:json", "object:decimal"):
        parse = json.loads if dtype == "object:json" else decimal.Decimal
        return pd.Series(
            [None if v is None else parse(v) for v in _storage(array).to_pylist()], dtype=object
        )
    if dtype.startswith("object"):
        # Text, dates and bytes: Arrow's C conversion; deduplicating strings would double its time.
        return _storage(array).to_pandas(date_as_object=True, deduplicate_objects=False)
    if array.null_count:
        dtype = nullable_dtype(dtype)
    target = pd.api.types.pandas_dtype(dtype)
    if isinstance(target, pd.api.extensions.ExtensionDtype) and not isinstance(
        target, pd.DatetimeTZDtype
    ):
        return array.to_pandas(types_mapper=lambda _: target)
    series = array.to_pandas()
    if isinstance(target, pd.DatetimeTZDtype):
        return series.dt.tz_convert(target.tz).astype(target)
    return series.astype(target)


def restore_frame(reader: pa.RecordBatchReader, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """The frame a query's result reads back as.

    Each Arrow column is let go as soon as it is converted, and the frame takes the Series without
    copying them into blocks, so a read peaks near the frame's own size plus one column, not the
    frame plus the whole Arrow result.
    """
    table = reader.read_all()
    columns = {}
    for name in table.column_names:
        array = table.column(name)
        table = table.drop_columns([name])
        columns[name] = restore_series(array, dtypes[name])
        del array
    return pd.DataFrame(columns, copy=False)
