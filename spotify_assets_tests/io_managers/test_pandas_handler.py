"""Mapping pandas dtypes to PostgreSQL columns and Arrow batches, and back, without a database."""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from spotify_assets.io_managers.postgres.pandas_handler import (
    ColumnType,
    DataFrameSchemaError,
    arrow_type,
    column_types,
    nullable_dtype,
    prefetched,
    record_batches,
    restore_series,
)
from spotify_assets.warehouse.encoded_json import EncodedJson


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (pd.Series([1], dtype="int64"), ("bigint", False, "int64")),
        (pd.Series([1], dtype="int16"), ("smallint", False, "int16")),
        (pd.Series([1], dtype="uint32"), ("bigint", False, "uint32")),
        (pd.Series([1, None], dtype="Int32"), ("integer", True, "Int32")),
        (pd.Series([1.0]), ("double precision", True, "float64")),
        (pd.Series([1.0], dtype="float32"), ("real", True, "float32")),
        (pd.Series([True]), ("boolean", False, "bool")),
        (pd.Series([True, None], dtype="boolean"), ("boolean", True, "boolean")),
        (pd.Series(["a"]), ("text", True, "object")),
        (pd.Series([None, None], dtype=object), ("text", True, "object")),
        (pd.Series(["a"], dtype="string"), ("text", True, "string[python]")),
        (
            pd.Series(pd.to_datetime(["2020-01-01"])),
            ("timestamp without time zone", True, "datetime64[ns]"),
        ),
        (
            pd.Series(pd.to_datetime(["2020-01-01"]).tz_localize("Asia/Tokyo")),
            ("timestamp with time zone", True, "datetime64[ns, Asia/Tokyo]"),
        ),
        (pd.Series([dt.date(2020, 1, 1)]), ("date", True, "object:date")),
        (pd.Series([decimal.Decimal("1.1")]), ("numeric", True, "object:decimal")),
        (pd.Series([{"a": 1}, [1]]), ("jsonb", True, "object:json")),
        (pd.Series([b"x"]), ("bytea", True, "object:bytes")),
    ],
)
def test_column_types(series: pd.Series, expected: tuple) -> None:
    (column,) = column_types(pd.DataFrame({"c": series}))
    assert (column.pg_type, column.nullable, column.dtype) == expected


def test_long_names_and_non_string_names_are_refused() -> None:
    with pytest.raises(DataFrameSchemaError, match="longer than PostgreSQL's 63 bytes"):
        column_types(pd.DataFrame({"x" * 64: [1]}))
    with pytest.raises(DataFrameSchemaError, match="Column name 0 is not a non-empty string"):
        column_types(pd.DataFrame([[1]]))
    with pytest.raises(DataFrameSchemaError, match="no columns"):
        column_types(pd.DataFrame())


def test_json_values_that_are_not_json_are_refused() -> None:
    frame = pd.DataFrame({"doc": [{"when": dt.datetime(2020, 1, 1)}, [1]]})
    columns = column_types(frame)
    schema = pa.schema([pa.field("doc", arrow_type(columns[0], frame["doc"], "jsonb"))])
    with pytest.raises(DataFrameSchemaError, match="Column 'doc' holds a value that is not JSON"):
        list(record_batches(frame, columns, schema))


def test_batches_cover_every_row_once() -> None:
    frame = pd.DataFrame({"v": np.arange(10)})
    columns = column_types(frame)
    schema = pa.schema([pa.field("v", pa.int64())])
    batches = list(record_batches(frame, columns, schema, batch_rows=4))
    assert [b.num_rows for b in batches] == [4, 4, 2]
    assert pa.Table.from_batches(batches).column("v").to_pylist() == list(range(10))


def test_jsonb_values_carry_the_binary_format_version() -> None:
    frame = pd.DataFrame({"doc": [{"k": "東京"}, None]})
    columns = column_types(frame)
    schema = pa.schema([pa.field("doc", pa.binary())])
    (batch,) = record_batches(frame, columns, schema)
    assert batch.column(0).to_pylist() == [b'\x01{"k":"\xe6\x9d\xb1\xe4\xba\xac"}', None]


def test_encoded_json_is_sent_as_it_was_encoded_not_encoded_again() -> None:
    # The encoding differs from what json.dumps would write (key order, spacing): it is sent as given.
    carried = EncodedJson({"b": 1, "a": "é"}, '{"a": "é", "b": 1}'.encode())
    frame = pd.DataFrame({"doc": [carried, {"b": 1}, None]})
    columns = column_types(frame)
    assert (columns[0].pg_type, columns[0].dtype) == ("jsonb", "object:json")
    (batch,) = record_batches(frame, columns, pa.schema([pa.field("doc", pa.binary())]))
    assert batch.column(0).to_pylist() == [
        b'\x01{"a": "\xc3\xa9", "b": 1}',
        b'\x01{"b":1}',
        None,
    ]


def test_numeric_arrow_type_fits_the_values() -> None:
    series = pd.Series([decimal.Decimal("123.45"), decimal.Decimal("-1.5")])
    column = ColumnType("amount", "numeric", True, "object:decimal")
    assert arrow_type(column, series, "numeric") == pa.decimal128(5, 2)


def test_integers_with_nulls_from_outside_read_as_nullable() -> None:
    array = pa.chunked_array([pa.array([1, None], pa.int64())])
    restored = restore_series(array, "int64")
    assert str(restored.dtype) == "Int64"
    assert restored.tolist()[0] == 1 and pd.isna(restored.tolist()[1])


@pytest.mark.parametrize(
    ("dtype", "twin"),
    [("int64", "Int64"), ("uint8", "UInt8"), ("bool", "boolean"), ("float64", "float64")],
)
def test_nullable_twins(dtype: str, twin: str) -> None:
    assert nullable_dtype(dtype) == twin


def test_prefetched_batches_arrive_in_order_and_errors_surface_in_the_consumer() -> None:
    def batches():
        for value in range(5):
            yield pa.RecordBatch.from_arrays([pa.array([value])], names=["v"])
        raise RuntimeError("conversion failed")

    received = []
    with pytest.raises(RuntimeError, match="conversion failed"):
        for batch in prefetched(batches(), depth=1):
            received.append(batch.column(0)[0].as_py())
    assert received == [0, 1, 2, 3, 4]


def test_prefetching_stops_when_the_consumer_gives_up() -> None:
    produced = []

    def endless():
        for value in range(10_000):
            produced.append(value)
            yield pa.RecordBatch.from_arrays([pa.array([value])], names=["v"])

    stream = prefetched(endless(), depth=2)
    assert next(stream).column(0)[0].as_py() == 0
    stream.close()  # what a failing load does: the worker thread ends instead of running on
    assert len(produced) < 10
