"""The IO manager's SQL text, without a database: quoting, parameters, partition predicates.

What these statements do to real tables is covered by test_postgres_io_manager.py.
"""

import datetime as dt

import pytest

from spotify_assets.io_managers.postgres import client
from spotify_assets.io_managers.postgres.client import PartitionDimension, TableSlice
from spotify_assets.io_managers.postgres.pandas_handler import ColumnType

UTC = dt.UTC
START = dt.datetime(2026, 1, 1, tzinfo=UTC)
END = dt.datetime(2026, 1, 2, tzinfo=UTC)


def test_select_whole_table_quotes_identifiers() -> None:
    statement, params = client.select_statement(TableSlice(schema='we"ird', table="Tracks"), {})
    assert statement == 'select * from "we""ird"."Tracks"'
    assert params == []


def test_select_columns_and_time_window_binds_values() -> None:
    table_slice = TableSlice(
        schema="bronze",
        table="plays",
        columns=("id", "played_at"),
        partitions=(PartitionDimension("played_at", start=START, end=END),),
    )
    statement, params = client.select_statement(
        table_slice, {"played_at": "timestamp with time zone"}
    )
    assert statement == (
        'select "id", "played_at" from "bronze"."plays" where "played_at" >= $1 and "played_at" < $2'
    )
    assert params == [START, END]


@pytest.mark.parametrize(
    ("pg_type", "expected"),
    [
        ("date", [dt.date(2026, 1, 1), dt.date(2026, 1, 2)]),
        ("timestamp without time zone", [dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)]),
        ("timestamp with time zone", [START, END]),
    ],
)
def test_time_window_bounds_match_the_column_type(pg_type: str, expected: list) -> None:
    table_slice = TableSlice(
        "bronze", "plays", partitions=(PartitionDimension("day", start=START, end=END),)
    )
    _, params = client.delete_statement(table_slice, {"day": pg_type})
    assert params == expected


def test_static_keys_cast_to_the_column_type() -> None:
    table_slice = TableSlice(
        "bronze", "t", partitions=(PartitionDimension("year", keys=("1999", "2000")),)
    )
    statement, params = client.delete_statement(table_slice, {"year": "integer"})
    assert statement == 'delete from "bronze"."t" where "year" in ($1::integer, $2::integer)'
    assert params == ["1999", "2000"]


def test_text_keys_are_bound_without_cast() -> None:
    table_slice = TableSlice(
        "bronze", "t", partitions=(PartitionDimension("market", keys=("SE", "it's")),)
    )
    statement, params = client.delete_statement(table_slice, {"market": "text"})
    assert statement == 'delete from "bronze"."t" where "market" in ($1, $2)'
    assert params == ["SE", "it's"]


def test_expression_partition_is_compared_as_text_and_kept_verbatim() -> None:
    table_slice = TableSlice(
        "bronze", "t", partitions=(PartitionDimension("left(isrc, 2)", keys=("US",)),)
    )
    statement, _ = client.delete_statement(table_slice, {"isrc": "text"})
    assert statement == 'delete from "bronze"."t" where (left(isrc, 2))::text in ($1)'


def test_multi_dimension_slices_are_anded_with_consecutive_parameters() -> None:
    table_slice = TableSlice(
        "bronze",
        "t",
        partitions=(
            PartitionDimension("day", start=START, end=END),
            PartitionDimension("market", keys=("SE",)),
        ),
    )
    statement, params = client.delete_statement(table_slice, {"day": "date", "market": "text"})
    assert statement.endswith('where "day" >= $1 and "day" < $2 and "market" in ($3)')
    assert params == [dt.date(2026, 1, 1), dt.date(2026, 1, 2), "SE"]


def test_empty_key_set_selects_nothing() -> None:
    table_slice = TableSlice("bronze", "t", partitions=(PartitionDimension("market", keys=()),))
    statement, params = client.delete_statement(table_slice, {"market": "text"})
    assert statement == 'delete from "bronze"."t" where false'
    assert params == []


def test_create_table_declares_not_null_for_non_nullable_dtypes() -> None:
    statement = client.create_table_statement(
        "bronze",
        "x",
        [ColumnType("id", "bigint", False, "int64"), ColumnType("Name", "text", True, "object")],
    )
    assert statement == 'create table "bronze"."x" ("id" bigint not null, "Name" text)'


def test_added_columns_are_nullable() -> None:
    statement = client.add_column_statement(
        TableSlice("b", "t"), ColumnType("n", "bigint", False, "int64")
    )
    assert statement == 'alter table "b"."t" add column if not exists "n" bigint'
