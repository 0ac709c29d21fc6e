"""The Postgres IO manager against a real PostgreSQL, driven through Dagster's own materialize().

Covers dtype round trips, replace atomicity (concurrent reader, injected failure, killed process),
partitions of every kind, append mode, schema changes, column selection, comments and metadata.
SQL text builders and dtype mapping without a database are in test_client.py and test_pandas_handler.py.
"""

import datetime as dt
import decimal
import gc
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
import weakref

import numpy as np
import pandas as pd
import psycopg
import pytest
from dagster import (
    AssetIn,
    AssetKey,
    DagsterExecutionInterruptedError,
    DagsterInstance,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    RetryPolicy,
    StaticPartitionsDefinition,
    TableColumn,
    TableColumnConstraints,
    TableSchema,
    asset,
    materialize,
)

from spotify_assets.io_managers.postgres import DataFrameSchemaError, PostgresPandasIOManager
from spotify_assets.io_managers.postgres import io_manager as io_manager_module
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.frame_stream import FrameStream

pytestmark = pytest.mark.postgres

DTYPE_COLUMNS = {
    "int64": pd.Series([1, -(2**62), 3], dtype="int64"),
    "int32": pd.Series([1, 2, -3], dtype="int32"),
    "Int64": pd.Series([1, None, 2**62], dtype="Int64"),
    "float64": pd.Series([1.5, np.nan, -3e300]),
    "Float64": pd.Series([1.5, None, 0.25], dtype="Float64"),
    "bool": pd.Series([True, False, True]),
    "boolean": pd.Series([True, None, False], dtype="boolean"),
    "object_text": pd.Series(["a", None, "Björk 東京 🎵 'quoted' \\ tab\t"], dtype=object),
    "string": pd.Series(["x", None, ""], dtype="string"),
    "string_pyarrow": pd.Series(["x", None, "y"], dtype="string[pyarrow]"),
    "datetime_naive": pd.Series(
        pd.to_datetime(
            ["2020-01-01 10:00:00", None, "2021-05-05 00:00:00.123456"], format="ISO8601"
        )
    ),
    "datetime_utc": pd.Series(
        pd.to_datetime(["2020-01-01T10:00:00Z", None, "1970-01-01T00:00:00Z"], format="ISO8601")
    ),
    "datetime_paris": pd.Series(
        pd.to_datetime(
            ["2020-01-01 10:00", None, "2021-07-05 23:30"], format="ISO8601"
        ).tz_localize("Europe/Paris")
    ),
    "date": pd.Series([dt.date(2020, 1, 1), None, dt.date(1, 1, 1)], dtype=object),
    "decimal": pd.Series(
        [decimal.Decimal("1.50"), None, decimal.Decimal("-12345678901234567890.123456789")],
        dtype=object,
    ),
    "json": pd.Series([{"a": [1, 2], "é": "東京"}, None, [1, {"b": None}, "x"]], dtype=object),
    "bytes": pd.Series([b"\x00\x01", None, b"plain"], dtype=object),
}


def _writer_reader(frame: pd.DataFrame, **writer_kwargs):
    """A bronze asset returning ``frame`` and a silver asset receiving it back."""
    received: dict[str, pd.DataFrame] = {}

    @asset(key_prefix="bronze", **writer_kwargs)
    def table() -> pd.DataFrame:
        return frame

    @asset(key_prefix="silver", ins={"table": AssetIn(key=AssetKey(["bronze", "table"]))})
    def reader(table: pd.DataFrame) -> None:
        received["frame"] = table

    return table, reader, received


def _fetch(postgres: PostgresResource, query: str, params=None) -> list[tuple]:
    with postgres.get_connection() as conn:
        return conn.execute(query, params).fetchall()


@pytest.mark.parametrize("name", list(DTYPE_COLUMNS))
def test_each_dtype_round_trips_exactly(io_manager: PostgresPandasIOManager, name: str) -> None:
    frame = pd.DataFrame({name: DTYPE_COLUMNS[name]})
    table, reader, received = _writer_reader(frame)
    assert materialize([table, reader], resources={"io_manager": io_manager}).success
    pd.testing.assert_frame_equal(received["frame"], frame, check_exact=True)
    assert received["frame"][name].dtype == frame[name].dtype


def test_all_dtypes_together_round_trip(io_manager: PostgresPandasIOManager) -> None:
    frame = pd.DataFrame(DTYPE_COLUMNS)
    table, reader, received = _writer_reader(frame)
    assert materialize([table, reader], resources={"io_manager": io_manager}).success
    pd.testing.assert_frame_equal(received["frame"], frame, check_exact=True)


def test_empty_frame_round_trips(io_manager: PostgresPandasIOManager) -> None:
    frame = pd.DataFrame(
        {"id": pd.Series([], dtype="int64"), "name": pd.Series([], dtype="string")}
    )
    table, reader, received = _writer_reader(frame)
    assert materialize([table, reader], resources={"io_manager": io_manager}).success
    pd.testing.assert_frame_equal(received["frame"], frame)


def test_columns_are_typed_and_non_nullable_dtypes_are_not_null(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    frame = pd.DataFrame(
        {
            k: DTYPE_COLUMNS[k]
            for k in ["int64", "Int64", "bool", "json", "datetime_paris", "decimal"]
        }
    )
    table, _, _ = _writer_reader(frame)
    assert materialize([table], resources={"io_manager": io_manager}).success
    rows = _fetch(
        postgres,
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_schema = %s and table_name = 'table' order by ordinal_position",
        [postgres.schema("bronze")],
    )
    assert rows == [
        ("int64", "bigint", "NO"),
        ("Int64", "bigint", "YES"),
        ("bool", "boolean", "NO"),
        ("json", "jsonb", "YES"),
        ("datetime_paris", "timestamp with time zone", "YES"),
        ("decimal", "numeric", "YES"),
    ]
    assert _fetch(
        postgres,
        f"select json -> 'a' ->> 1 from \"{postgres.schema('bronze')}\".\"table\" where json is not null and jsonb_typeof(json) = 'object'",
    ) == [("2",)]


def test_output_metadata_and_comments(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "plays": [1, 2]})

    @asset(
        key_prefix="gold",
        description="One row per artist.",
        metadata={
            "dagster/column_schema": TableSchema(
                columns=[
                    TableColumn("id", "text", description="Spotify artist id."),
                    TableColumn("plays", "bigint"),
                ]
            )
        },
    )
    def summary() -> pd.DataFrame:
        return frame

    result = materialize([summary], resources={"io_manager": io_manager})
    metadata = result.asset_materializations_for_node("gold__summary")[0].metadata
    assert metadata["dagster/row_count"].value == 2
    assert metadata["dagster/table_name"].value == f"{postgres.schema('gold')}.summary"
    columns = metadata["dagster/column_schema"].schema.columns
    assert [(c.name, c.type, c.description, c.constraints.nullable) for c in columns] == [
        ("id", "text", "Spotify artist id.", True),
        ("plays", "bigint", None, False),
    ]
    qualified = f'"{postgres.schema("gold")}".summary'
    assert _fetch(
        postgres,
        f"select obj_description('{qualified}'::regclass, 'pg_class'), col_description('{qualified}'::regclass, 1)",
    ) == [("One row per artist.", "Spotify artist id.")]


def test_replace_swaps_whole_table_and_leaves_no_staging(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    for frame in (pd.DataFrame({"v": [1, 2, 3]}), pd.DataFrame({"v": [7]})):
        table, reader, received = _writer_reader(frame)
        assert materialize([table, reader], resources={"io_manager": io_manager}).success
        pd.testing.assert_frame_equal(received["frame"], frame)
    assert _tables(postgres, "bronze") == ["table"]


def _tables(postgres: PostgresResource, layer: str) -> list[str]:
    return [
        name
        for (name,) in _fetch(
            postgres,
            "select tablename from pg_tables where schemaname = %s order by tablename",
            [postgres.schema(layer)],
        )
    ]


def test_reader_in_another_connection_sees_old_or_new_table_only(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    rows = 50_000

    def version(k: int) -> pd.DataFrame:
        return pd.DataFrame(
            {"version": np.full(rows, k, dtype="int64"), "payload": np.arange(rows)}
        )

    table, _, _ = _writer_reader(version(0))
    assert materialize([table], resources={"io_manager": io_manager}).success
    observed: list[tuple] = []
    errors: list[Exception] = []
    stop = threading.Event()

    def read() -> None:
        with psycopg.connect(postgres.target_url, autocommit=True) as conn:
            while not stop.is_set():
                try:
                    observed.append(
                        conn.execute(
                            f'select count(*), min(version), max(version) from "{postgres.schema("bronze")}"."table"'
                        ).fetchone()
                    )
                except psycopg.Error as exc:
                    errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for k in range(1, 6):
            table, _, _ = _writer_reader(version(k))
            assert materialize([table], resources={"io_manager": io_manager}).success
    finally:
        stop.set()
        reader.join()
    assert not errors
    assert len(observed) > 5
    assert all(count == rows and low == high for count, low, high in observed)
    assert {low for _, low, _ in observed} - {0, 1, 2, 3, 4, 5} == set()


def test_failure_mid_load_keeps_old_table_and_leaves_no_debris(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = pd.DataFrame({"v": np.arange(10)})
    table, _, _ = _writer_reader(old)
    assert materialize([table], resources={"io_manager": io_manager}).success

    real_batches = io_manager_module.record_batches

    def failing_batches(*args, **kwargs):
        for index, batch in enumerate(real_batches(*args, **kwargs)):
            if index == 2:
                raise RuntimeError("injected failure mid-load")
            yield batch

    monkeypatch.setattr(io_manager_module, "record_batches", failing_batches)
    new = pd.DataFrame({"v": np.arange(300_000)})
    table, _, _ = _writer_reader(new)
    result = materialize([table], resources={"io_manager": io_manager}, raise_on_error=False)
    assert not result.success
    assert _fetch(postgres, f'select count(*) from "{postgres.schema("bronze")}"."table"') == [
        (10,)
    ]
    assert _tables(postgres, "bronze") == ["table"]


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np, pandas as pd
    from dagster import asset, materialize
    from spotify_assets.io_managers.postgres import PostgresPandasIOManager
    from spotify_assets.warehouse.connection import PostgresResource

    url, home, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
    postgres = PostgresResource(url=url, home=home, schema_prefix=prefix)

    @asset(key_prefix="bronze")
    def table() -> pd.DataFrame:
        return pd.DataFrame({"v": np.arange(20_000_000)})

    materialize([table], resources={"io_manager": PostgresPandasIOManager(postgres=postgres)})
    """
)


def test_killed_writer_keeps_old_table_and_leaves_no_debris(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource, tmp_path
) -> None:
    table, _, _ = _writer_reader(pd.DataFrame({"v": np.arange(10)}))
    assert materialize([table], resources={"io_manager": io_manager}).success
    script = tmp_path / "writer.py"
    script.write_text(KILL_SCRIPT)
    writer = subprocess.Popen(
        [sys.executable, str(script), postgres.target_url, postgres.home, postgres.schema_prefix],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _copy_running(postgres):
            assert writer.poll() is None, "the writer ended before its load started"
            assert time.monotonic() < deadline, "the writer's COPY never started"
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    deadline = time.monotonic() + 60
    while _copy_running(postgres):
        assert time.monotonic() < deadline, "the killed writer's backend never ended"
        time.sleep(0.1)
    assert _fetch(postgres, f'select count(*) from "{postgres.schema("bronze")}"."table"') == [
        (10,)
    ]
    assert _tables(postgres, "bronze") == ["table"]


def _copy_running(postgres: PostgresResource) -> bool:
    rows = _fetch(
        postgres,
        "select count(*) from pg_stat_activity where pid <> pg_backend_pid() and query ilike 'copy%%' "
        "and state <> 'idle' and datname = current_database()",
    )
    return rows[0][0] > 0


DAILY = DailyPartitionsDefinition(start_date="2026-01-01")


def _daily_asset(rows_per_day: dict[str, int]):
    @asset(key_prefix="bronze", partitions_def=DAILY, metadata={"partition_expr": "played_at"})
    def plays(context) -> pd.DataFrame:
        day = pd.Timestamp(context.partition_key, tz="UTC")
        count = rows_per_day[context.partition_key]
        return pd.DataFrame(
            {"played_at": [day + pd.Timedelta(minutes=i) for i in range(count)], "n": range(count)}
        )

    return plays


def _counts_by_day(postgres: PostgresResource) -> dict[str, int]:
    rows = _fetch(
        postgres,
        f'select played_at::date::text, count(*) from "{postgres.schema("bronze")}".plays group by 1 order by 1',
    )
    return dict(rows)


def test_time_window_partition_rewritten_replaces_only_its_slice(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    sizes = {"2026-01-01": 3, "2026-01-02": 5}
    for key in ("2026-01-01", "2026-01-02"):
        assert materialize(
            [_daily_asset(sizes)], resources={"io_manager": io_manager}, partition_key=key
        ).success
    assert _counts_by_day(postgres) == {"2026-01-01": 3, "2026-01-02": 5}
    sizes["2026-01-01"] = 2
    result = materialize(
        [_daily_asset(sizes)], resources={"io_manager": io_manager}, partition_key="2026-01-01"
    )
    assert _counts_by_day(postgres) == {"2026-01-01": 2, "2026-01-02": 5}
    metadata = result.asset_materializations_for_node("bronze__plays")[0].metadata
    assert metadata["dagster/partition_row_count"].value == 2
    assert metadata["dagster/row_count"].value == 7


def test_downstream_reads_only_the_upstream_partitions_it_needs(
    io_manager: PostgresPandasIOManager,
) -> None:
    sizes = {"2026-01-01": 3, "2026-01-02": 5, "2026-01-03": 1}
    plays = _daily_asset(sizes)
    seen: dict[str, pd.DataFrame] = {}

    @asset(
        key_prefix="silver", partitions_def=DAILY, ins={"plays": AssetIn(key=["bronze", "plays"])}
    )
    def daily_counts(context, plays: pd.DataFrame) -> None:
        seen[context.partition_key] = plays

    for key in sizes:
        assert materialize([plays], resources={"io_manager": io_manager}, partition_key=key).success
    assert materialize(
        [plays, daily_counts],
        resources={"io_manager": io_manager},
        partition_key="2026-01-02",
        selection=[daily_counts],
    ).success
    assert len(seen["2026-01-02"]) == 5
    assert set(seen["2026-01-02"]["played_at"].dt.date.astype(str)) == {"2026-01-02"}


def test_static_dynamic_and_multi_partitions(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    markets = StaticPartitionsDefinition(["SE", "JP"])
    artists = DynamicPartitionsDefinition(name="artists")
    multi = MultiPartitionsDefinition({"date": DAILY, "market": markets})

    @asset(key_prefix="bronze", partitions_def=markets, metadata={"partition_expr": "market"})
    def by_market(context) -> pd.DataFrame:
        return pd.DataFrame({"market": [context.partition_key] * 2, "v": [1, 2]})

    @asset(key_prefix="bronze", partitions_def=artists, metadata={"partition_expr": "artist_id"})
    def by_artist(context) -> pd.DataFrame:
        return pd.DataFrame(
            {"artist_id": [context.partition_key], "v": [len(context.partition_key)]}
        )

    @asset(
        key_prefix="bronze",
        partitions_def=multi,
        metadata={"partition_expr": {"date": "day", "market": "market"}},
    )
    def by_both(context) -> pd.DataFrame:
        key = context.partition_key.keys_by_dimension
        return pd.DataFrame(
            {"day": [dt.date.fromisoformat(key["date"])], "market": [key["market"]], "v": [1]}
        )

    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("artists", ["a1", "a22"])
    resources = {"io_manager": io_manager}
    for key in ["SE", "JP", "SE"]:
        assert materialize(
            [by_market], resources=resources, partition_key=key, instance=instance
        ).success
    for key in ["a1", "a22", "a1"]:
        assert materialize(
            [by_artist], resources=resources, partition_key=key, instance=instance
        ).success
    for date, market in [
        ("2026-01-01", "SE"),
        ("2026-01-01", "JP"),
        ("2026-01-02", "SE"),
        ("2026-01-01", "SE"),
    ]:
        key = MultiPartitionKey({"date": date, "market": market})
        assert materialize(
            [by_both], resources=resources, partition_key=key, instance=instance
        ).success
    schema = postgres.schema("bronze")
    assert _fetch(
        postgres, f'select market, count(*) from "{schema}".by_market group by 1 order by 1'
    ) == [("JP", 2), ("SE", 2)]
    assert _fetch(postgres, f'select artist_id, v from "{schema}".by_artist order by 1') == [
        ("a1", 2),
        ("a22", 3),
    ]
    assert _fetch(postgres, f'select day::text, market from "{schema}".by_both order by 1, 2') == [
        ("2026-01-01", "JP"),
        ("2026-01-01", "SE"),
        ("2026-01-02", "SE"),
    ]


def test_rows_outside_the_partition_are_refused(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    @asset(key_prefix="bronze", partitions_def=DAILY, metadata={"partition_expr": "played_at"})
    def plays() -> pd.DataFrame:
        return pd.DataFrame(
            {"played_at": pd.to_datetime(["2026-01-01T05:00Z", "2026-01-03T05:00Z"]), "n": [1, 2]}
        )

    with pytest.raises(
        DataFrameSchemaError, match=r"1 of 2 rows .* 'played_at' outside the partition"
    ):
        materialize([plays], resources={"io_manager": io_manager}, partition_key="2026-01-01")
    assert _tables(postgres, "bronze") == []


def test_missing_partition_expr_is_explained(io_manager: PostgresPandasIOManager) -> None:
    @asset(key_prefix="bronze", partitions_def=DAILY)
    def plays() -> pd.DataFrame:
        return pd.DataFrame({"n": [1]})

    with pytest.raises(ValueError, match="no 'partition_expr' metadata"):
        materialize([plays], resources={"io_manager": io_manager}, partition_key="2026-01-01")


def test_append_mode_keeps_history(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    batches = iter(([1, 2], [3]))

    @asset(key_prefix="bronze", metadata={"write_mode": "append"})
    def history() -> pd.DataFrame:
        return pd.DataFrame({"v": next(batches)})

    for _ in range(2):
        assert materialize([history], resources={"io_manager": io_manager}).success
    assert _fetch(postgres, f'select v from "{postgres.schema("bronze")}".history order by v') == [
        (1,),
        (2,),
        (3,),
    ]


def test_new_column_is_added_to_existing_partitioned_table(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    markets = StaticPartitionsDefinition(["SE", "JP"])
    frames = {
        "SE": pd.DataFrame({"market": ["SE"], "v": [1]}),
        "JP": pd.DataFrame(
            {"market": ["JP"], "v": [2], "label": pd.Series(["new"], dtype="string")}
        ),
    }

    @asset(key_prefix="bronze", partitions_def=markets, metadata={"partition_expr": "market"})
    def releases(context) -> pd.DataFrame:
        return frames[context.partition_key]

    read: dict[str, pd.DataFrame] = {}

    @asset(key_prefix="silver", ins={"releases": AssetIn(key=["bronze", "releases"])})
    def all_releases(releases: pd.DataFrame) -> None:
        read["frame"] = releases

    for key in ("SE", "JP"):
        assert materialize(
            [releases], resources={"io_manager": io_manager}, partition_key=key
        ).success
    assert materialize(
        [releases, all_releases], resources={"io_manager": io_manager}, selection=[all_releases]
    ).success
    frame = read["frame"].sort_values("market").reset_index(drop=True)
    assert frame["label"].tolist()[0] == "new"
    assert pd.isna(frame["label"].tolist()[1])
    assert frame["label"].dtype == "string"


def test_incompatible_type_change_fails_before_writing(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    table, _, _ = _writer_reader(pd.DataFrame({"duration_ms": [1000, 2000]}))
    assert materialize([table], resources={"io_manager": io_manager}).success
    table, _, _ = _writer_reader(pd.DataFrame({"duration_ms": ["1s", "2s"]}))
    with pytest.raises(DataFrameSchemaError) as error:
        materialize([table], resources={"io_manager": io_manager})
    message = str(error.value)
    assert "'duration_ms'" in message and "bigint in the table" in message and "text" in message
    assert _fetch(
        postgres, f'select duration_ms from "{postgres.schema("bronze")}"."table" order by 1'
    ) == [(1000,), (2000,)]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), r"Duplicate column names \['a'\]"),
        (
            pd.DataFrame({"span": pd.to_timedelta([1], unit="s")}),
            r"Column 'span' has dtype timedelta64\[ns\]",
        ),
        (pd.DataFrame({"c": pd.Categorical(["x"])}), "Column 'c' has dtype category"),
        (pd.DataFrame({"mixed": [1, "a"]}), "Column 'mixed' mixes values of types int, str"),
        (
            pd.DataFrame({"ints": pd.Series([1, None, 3], dtype=object)}),
            r"Column 'ints' is an object column of integer values.*astype\('Int64'\)",
        ),
    ],
)
def test_bad_frames_fail_with_a_message_naming_the_column(
    io_manager: PostgresPandasIOManager,
    postgres: PostgresResource,
    frame: pd.DataFrame,
    message: str,
) -> None:
    table, _, _ = _writer_reader(frame)
    with pytest.raises(DataFrameSchemaError, match=message):
        materialize([table], resources={"io_manager": io_manager})
    assert _tables(postgres, "bronze") == []


def test_column_selection_reads_only_those_columns(io_manager: PostgresPandasIOManager) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "name": ["x", "y"], "plays": [1, 2]})
    table, _, _ = _writer_reader(frame)
    got: dict[str, pd.DataFrame] = {}

    @asset(
        key_prefix="silver",
        ins={"table": AssetIn(key=["bronze", "table"], metadata={"columns": ["plays", "id"]})},
    )
    def narrow(table: pd.DataFrame) -> None:
        got["frame"] = table

    assert materialize([table, narrow], resources={"io_manager": io_manager}).success
    pd.testing.assert_frame_equal(got["frame"], frame[["plays", "id"]])


def test_schema_prefixes_isolate_runs(make_postgres) -> None:
    first, second = make_postgres(), make_postgres()
    for postgres, values in ((first, [1]), (second, [2, 3])):
        table, _, _ = _writer_reader(pd.DataFrame({"v": values}))
        assert materialize(
            [table], resources={"io_manager": PostgresPandasIOManager(postgres=postgres)}
        ).success
    for postgres, values in ((first, [1]), (second, [2, 3])):
        table, reader, received = _writer_reader(pd.DataFrame({"v": [0]}))
        assert materialize(
            [table, reader],
            resources={"io_manager": PostgresPandasIOManager(postgres=postgres)},
            selection=[reader],
        ).success
        assert received["frame"]["v"].tolist() == values


def test_reading_a_missing_table_says_what_to_materialize(
    io_manager: PostgresPandasIOManager,
) -> None:
    table, reader, _ = _writer_reader(pd.DataFrame({"v": [1]}))
    with pytest.raises(
        FileNotFoundError, match=r"does not exist; materialize asset bronze/table first"
    ):
        materialize([table, reader], resources={"io_manager": io_manager}, selection=[reader])


def test_sql_built_tables_read_with_default_dtypes(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    postgres.ensure_schema(postgres.schema("gold"))
    with postgres.get_connection() as conn:
        conn.execute(
            f'create table "{postgres.schema("gold")}".summary as '
            "select 'a'::text as id, 3::bigint as n, null::bigint as m, true as flag, date '2020-01-02' as day, "
            "'{\"k\": 1}'::jsonb as doc, 1.25::numeric as amount"
        )
    got: dict[str, pd.DataFrame] = {}

    @asset(key=["gold", "summary"])
    def summary() -> pd.DataFrame:
        raise AssertionError("built by SQL")

    @asset(ins={"summary": AssetIn(key=["gold", "summary"])})
    def consumer(summary: pd.DataFrame) -> None:
        got["frame"] = summary

    assert materialize(
        [summary, consumer], resources={"io_manager": io_manager}, selection=[consumer]
    ).success
    frame = got["frame"]
    assert frame.dtypes.astype(str).to_dict() == {
        "id": "object",
        "n": "Int64",
        "m": "Int64",
        "flag": "boolean",
        "day": "object",
        "doc": "object",
        "amount": "object",
    }
    assert frame.iloc[0].tolist()[:2] == ["a", 3] and frame.iloc[0]["doc"] == {"k": 1}
    assert frame.iloc[0]["amount"] == decimal.Decimal("1.25") and frame.iloc[0]["day"] == dt.date(
        2020, 1, 2
    )


def test_append_with_unique_key_skips_rows_already_stored(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    batches = iter(
        (
            pd.DataFrame({"content_hash": ["a", "b"], "v": [1, 2]}),
            pd.DataFrame({"content_hash": ["b", "c", "c"], "v": [2, 3, 3]}),
        )
    )

    @asset(key_prefix="bronze", metadata={"write_mode": "append", "unique_key": ["content_hash"]})
    def history() -> pd.DataFrame:
        return next(batches)

    first = materialize([history], resources={"io_manager": io_manager})
    second = materialize([history], resources={"io_manager": io_manager})
    metadata = second.asset_materializations_for_node("bronze__history")[0].metadata
    assert (
        first.asset_materializations_for_node("bronze__history")[0].metadata["rows_written"].value
        == 2
    )
    assert metadata["rows_written"].value == 1
    assert metadata["rows_skipped_as_duplicates"].value == 2
    assert metadata["dagster/row_count"].value == 3
    assert _fetch(
        postgres, f'select content_hash, v from "{postgres.schema("bronze")}".history order by 1'
    ) == [
        ("a", 1),
        ("b", 2),
        ("c", 3),
    ]


def test_rows_already_stored_are_not_sent_again_for_a_key_of_several_columns(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource, monkeypatch
) -> None:
    sent: list[list[tuple]] = []
    convert = io_manager_module.record_batches

    def counted(frame, columns, schema):
        sent.append(list(zip(frame["parent"], frame["position"], strict=True)))
        return convert(frame, columns, schema)

    monkeypatch.setattr(io_manager_module, "record_batches", counted)
    writes = iter(
        (
            [pd.DataFrame({"parent": ["p", "p"], "position": [0, 1], "v": ["x", "y"]})],
            # (p, 1) is stored: only (p, 2) and (q, 0) travel; the stream's last batch holds
            # stored rows only and sends nothing.
            [
                pd.DataFrame(
                    {"parent": ["p", "p", "q"], "position": [1, 2, 0], "v": ["y", "z", "w"]}
                ),
                pd.DataFrame({"parent": ["p"], "position": [0], "v": ["x"]}),
            ],
        )
    )

    @asset(
        key_prefix="bronze",
        metadata={"write_mode": "append", "unique_key": ["parent", "position"]},
    )
    def entries() -> FrameStream:
        return FrameStream(iter(next(writes)))

    materialize([entries], resources={"io_manager": io_manager})
    sent.clear()
    second = materialize([entries], resources={"io_manager": io_manager})
    assert [rows for rows in sent if rows] == [[("p", 2), ("q", 0)]]
    metadata = second.asset_materializations_for_node("bronze__entries")[0].metadata
    assert metadata["rows_written"].value == 2
    assert metadata["rows_skipped_as_duplicates"].value == 2
    assert _fetch(
        postgres,
        f'select parent, position, v from "{postgres.schema("bronze")}".entries order by 1, 2',
    ) == [("p", 0, "x"), ("p", 1, "y"), ("p", 2, "z"), ("q", 0, "w")]


LATEST = {"write_mode": "append", "unique_key": ["content_hash"], "latest_key": "k"}


def _versions(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Rows of (key, content hash, fetched_at)."""
    return pd.DataFrame(
        {
            "k": [r[0] for r in rows],
            "content_hash": [r[1] for r in rows],
            "fetched_at": pd.to_datetime([r[2] for r in rows], utc=True),
        }
    )


def _latest_by_scan(postgres: PostgresResource) -> set[tuple[str, str]]:
    """Each key's latest version as a scan of the whole history decides it."""
    return set(
        _fetch(
            postgres,
            f'select distinct on (k) k, content_hash from "{postgres.schema("bronze")}".history '
            "order by k, fetched_at desc, content_hash",
        )
    )


def _pointed(postgres: PostgresResource) -> set[tuple[str, str]]:
    bronze = postgres.schema("bronze")
    return set(_fetch(postgres, f'select key, content_hash from "{bronze}".history__latest'))


def test_latest_key_points_at_each_keys_latest_version_as_a_full_scan_would(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    writes = iter(
        [
            _versions(("a", "a1", "2026-01-01"), ("b", "b1", "2026-01-01")),
            # a changes; b comes back unchanged (stored once, at its first fetched_at).
            _versions(("a", "a2", "2026-01-02"), ("b", "b1", "2026-01-02")),
            # a returns to its first version: stored already, so a2 stays the latest, as a scan
            # of the history says; b has two new versions at the same moment (smallest hash wins).
            _versions(
                ("a", "a1", "2026-01-03"), ("b", "b3", "2026-01-03"), ("b", "b2", "2026-01-03")
            ),
            # An older fetch arriving late moves nothing back; c is new.
            _versions(("a", "a0", "2025-12-31"), ("c", "c1", "2026-01-04")),
        ]
    )

    @asset(key_prefix="bronze", metadata=LATEST)
    def history() -> pd.DataFrame:
        return next(writes)

    expected = [
        {("a", "a1"), ("b", "b1")},
        {("a", "a2"), ("b", "b1")},
        {("a", "a2"), ("b", "b2")},
        {("a", "a2"), ("b", "b2"), ("c", "c1")},
    ]
    for want in expected:
        assert materialize([history], resources={"io_manager": io_manager}).success
        assert _pointed(postgres) == want == _latest_by_scan(postgres)


def test_latest_pointer_missing_or_left_behind_is_rebuilt_from_the_history(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    writes = iter(
        [
            _versions(("a", "a1", "2026-01-01"), ("a", "a2", "2026-01-02")),
            _versions(("b", "b1", "2026-01-03")),
            _versions(("c", "c1", "2026-01-04")),
        ]
    )

    @asset(key_prefix="bronze", metadata=LATEST)
    def history() -> pd.DataFrame:
        return next(writes)

    bronze = postgres.schema("bronze")
    materialize([history], resources={"io_manager": io_manager})
    # A table from before the pointer: the next write fills it from every stored row.
    with postgres.get_connection() as conn:
        conn.execute(f'drop table "{bronze}".history__latest')
    materialize([history], resources={"io_manager": io_manager})
    assert _pointed(postgres) == {("a", "a2"), ("b", "b1")}
    # The table dropped, its pointer left: the new table's pointer knows only the new rows.
    with postgres.get_connection() as conn:
        conn.execute(f'drop table "{bronze}".history')
    materialize([history], resources={"io_manager": io_manager})
    assert _pointed(postgres) == {("c", "c1")}


def test_latest_key_needs_a_unique_key(io_manager: PostgresPandasIOManager) -> None:
    @asset(key_prefix="bronze", metadata={"write_mode": "append", "latest_key": "k"})
    def history() -> pd.DataFrame:
        return pd.DataFrame({"k": ["a"]})

    with pytest.raises(ValueError, match=r"'latest_key' metadata .* needs 'unique_key'"):
        materialize([history], resources={"io_manager": io_manager})


def test_indexes_metadata_indexes_kept_rows_and_names_missing_columns(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    @asset(key_prefix="bronze", metadata={"write_mode": "append", "indexes": [["k", "at"]]})
    def history() -> pd.DataFrame:
        return pd.DataFrame({"k": ["a"], "at": [1]})

    materialize([history], resources={"io_manager": io_manager})
    materialize([history], resources={"io_manager": io_manager})  # the index exists: no error
    assert _fetch(
        postgres,
        "select indexname, split_part(indexdef, ' USING ', 2) from pg_indexes "
        "where schemaname = %s and tablename = 'history'",
        (postgres.schema("bronze"),),
    ) == [("history__k_at", "btree (k, at)")]

    @asset(key_prefix="bronze", metadata={"write_mode": "append", "indexes": [["nope"]]})
    def other() -> pd.DataFrame:
        return pd.DataFrame({"k": ["a"]})

    with pytest.raises(DataFrameSchemaError, match=r"'indexes' names columns \['nope'\]"):
        materialize([other], resources={"io_manager": io_manager})


def _logged_history(fetched: dict | None):
    """A bronze-like asset whose output asks for its fetch to be logged with its rows."""

    @asset(key_prefix="bronze", metadata={"write_mode": "append", "fetch_log": True})
    def history(context) -> pd.DataFrame:
        if fetched is not None:
            context.add_output_metadata({"fetched": fetched})
        return pd.DataFrame({"v": [1, 2]})

    return history


def test_fetch_log_records_what_the_run_fetched_with_its_rows(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    result = materialize(
        [_logged_history({"ids": ["a", "b"]})], resources={"io_manager": io_manager}
    )
    bronze = postgres.schema("bronze")
    assert _fetch(postgres, f'select run_id, asset, fetched from "{bronze}".fetch_log') == [
        (result.run_id, "history", {"ids": ["a", "b"]})
    ]
    assert _fetch(postgres, f'select count(*) from "{bronze}".history') == [(2,)]


def test_fetch_log_and_rows_commit_together(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    bronze = postgres.schema("bronze")
    postgres.ensure_schema(bronze)
    postgres.run_sql_file("bronze/create_fetch_log")
    with postgres.get_connection() as conn:  # the log refuses this step's entry
        conn.execute(f"alter table \"{bronze}\".fetch_log add check (asset <> 'history')")
    with pytest.raises(Exception, match="check constraint"):
        materialize([_logged_history({"ids": ["a"]})], resources={"io_manager": io_manager})
    assert _fetch(postgres, f'select count(*) from "{bronze}".fetch_log') == [(0,)]
    # The rows were rolled back with the entry (the table itself was created in that transaction).
    assert not postgres.table_exists(bronze, "history")


def test_fetch_log_without_fetched_metadata_fails_before_writing(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    with pytest.raises(ValueError, match="must carry 'fetched' metadata"):
        materialize([_logged_history(None)], resources={"io_manager": io_manager})
    assert not postgres.table_exists(postgres.schema("bronze"), "history")


def test_unique_key_needs_append_mode(io_manager: PostgresPandasIOManager) -> None:
    @asset(key_prefix="bronze", metadata={"unique_key": ["id"]})
    def history() -> pd.DataFrame:
        return pd.DataFrame({"id": [1]})

    with pytest.raises(ValueError, match="'unique_key' metadata skips rows already stored"):
        materialize([history], resources={"io_manager": io_manager})


def test_declared_types_settle_all_null_columns(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    schema = TableSchema(
        columns=[
            TableColumn("doc", "jsonb", constraints=TableColumnConstraints(nullable=False)),
            TableColumn("day", "date"),
            TableColumn("n", "bigint"),
        ]
    )
    frames = iter(
        (
            pd.DataFrame(
                {
                    "doc": pd.Series([], dtype=object),
                    "day": pd.Series([], dtype=object),
                    "n": pd.Series([], dtype="Int64"),
                }
            ),
            pd.DataFrame(
                {
                    "doc": [{"k": 1}],
                    "day": [dt.date(2020, 1, 1)],
                    "n": pd.Series([1], dtype="Int64"),
                }
            ),
        )
    )

    @asset(key_prefix="bronze", metadata={"write_mode": "append", "dagster/column_schema": schema})
    def docs() -> pd.DataFrame:
        return next(frames)

    assert materialize([docs], resources={"io_manager": io_manager}).success
    assert materialize([docs], resources={"io_manager": io_manager}).success
    types = _fetch(
        postgres,
        "select column_name, data_type, is_nullable from information_schema.columns where table_schema = %s "
        "and table_name = 'docs' order by ordinal_position",
        [postgres.schema("bronze")],
    )
    assert types == [("doc", "jsonb", "NO"), ("day", "date", "YES"), ("n", "bigint", "YES")]


def _streamed_history(batches, fetched: dict | None = None, fail_after: int | None = None):
    """A bronze-like asset returning a FrameStream of ``batches``; it raises after ``fail_after``
    batches, and sets its ``fetched`` metadata once every batch was taken."""
    taken: list[int] = []

    @asset(
        key_prefix="bronze",
        metadata={"write_mode": "append", "unique_key": ["content_hash"], "fetch_log": True},
    )
    def history() -> FrameStream:
        stream = FrameStream(iter(()))

        def produce():
            for number, frame in enumerate(batches, start=1):
                if fail_after is not None and number > fail_after:
                    raise RuntimeError("the API went away mid-stream")
                taken.append(len(taken))
                yield frame
            stream.metadata["fetched"] = fetched or {"batches": len(taken)}

        stream.batches = produce()
        return stream

    return history, taken


def test_frame_stream_loads_every_batch_once_in_one_transaction(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    batches = [
        pd.DataFrame({"content_hash": ["a", "b"], "doc": [{"n": 1}, {"n": 2}]}),
        pd.DataFrame({"content_hash": ["b", "c"], "doc": [{"n": 2}, {"n": 3}]}),
        pd.DataFrame(
            {"content_hash": pd.Series([], dtype=object), "doc": pd.Series([], dtype=object)}
        ),
    ]
    history, taken = _streamed_history(batches)
    result = materialize([history], resources={"io_manager": io_manager})
    metadata = result.asset_materializations_for_node("bronze__history")[0].metadata
    bronze = postgres.schema("bronze")
    # Duplicates across batches are stored once, as within one DataFrame.
    assert _fetch(postgres, f'select content_hash, doc from "{bronze}".history order by 1') == [
        ("a", {"n": 1}),
        ("b", {"n": 2}),
        ("c", {"n": 3}),
    ]
    assert (metadata["batches_loaded"].value, metadata["rows_written"].value) == (3, 3)
    assert metadata["rows_skipped_as_duplicates"].value == 1
    # The metadata set at the stream's end is what the fetch log holds.
    assert _fetch(postgres, f'select run_id, fetched from "{bronze}".fetch_log') == [
        (result.run_id, {"batches": 3})
    ]
    assert taken == [0, 1, 2]


def test_frame_stream_holds_one_batch_at_a_time_and_none_once_loaded(
    io_manager: PostgresPandasIOManager,
) -> None:
    """A batch is let go once loaded, the first too: none is alive while the next is produced,
    nor in what the in-process run keeps of the step's output."""
    loaded: list[weakref.ref] = []
    alive_while_producing: list[int] = []

    @asset(
        key_prefix="bronze",
        metadata={"write_mode": "append", "unique_key": ["content_hash"], "fetch_log": True},
    )
    def history() -> FrameStream:
        stream = FrameStream(iter(()), {"fetched": {}})

        def produce():
            for n in range(4):
                gc.collect()
                alive_while_producing.append(sum(ref() is not None for ref in loaded))
                frame = pd.DataFrame({"content_hash": [f"h{n}"], "doc": [{"n": n}]})
                loaded.append(weakref.ref(frame))
                yield frame
                del frame

        stream.batches = produce()
        return stream

    result = materialize([history], resources={"io_manager": io_manager})
    gc.collect()
    assert alive_while_producing == [0, 0, 0, 0]
    assert [ref() for ref in loaded] == [None] * 4
    kept = result.output_for_node("bronze__history")
    assert isinstance(kept, FrameStream) and next(kept.batches, None) is None


def test_frame_stream_pickles_as_one_frame_of_its_batches() -> None:
    """What an IO manager that knows no streams (Dagster's default) stores of one."""
    stream = FrameStream(iter([pd.DataFrame({"n": [1, 2]}), pd.DataFrame({"n": [3]})]))
    pd.testing.assert_frame_equal(
        pickle.loads(pickle.dumps(stream)), pd.DataFrame({"n": [1, 2, 3]})
    )


def test_frame_stream_failing_mid_way_writes_nothing(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    frame = pd.DataFrame({"content_hash": ["a"], "doc": [{"n": 1}]})
    history, _ = _streamed_history([frame])
    materialize([history], resources={"io_manager": io_manager})
    more = [pd.DataFrame({"content_hash": [h], "doc": [{"n": h}]}) for h in ("b", "c", "d")]
    failing, taken = _streamed_history(more, fail_after=2)
    with pytest.raises(Exception, match="the API went away mid-stream"):
        materialize([failing], resources={"io_manager": io_manager})
    assert taken == [0, 1]
    bronze = postgres.schema("bronze")
    assert _fetch(postgres, f'select content_hash from "{bronze}".history') == [("a",)]
    assert _fetch(postgres, f'select count(*) from "{bronze}".fetch_log') == [(1,)]


def test_a_terminate_request_during_a_write_fails_the_step_for_good(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    """Dagster retries an interrupted step that has a retry policy; a write interrupted by a
    terminate request must instead end the step, with nothing stored."""
    attempts: list[int] = []

    @asset(
        key_prefix="bronze",
        metadata={"write_mode": "append"},
        retry_policy=RetryPolicy(max_retries=2),
    )
    def history() -> FrameStream:
        attempts.append(1)

        def produce():
            yield pd.DataFrame({"v": [1]})
            raise DagsterExecutionInterruptedError()  # as the signal handler raises it

        return FrameStream(produce())

    result = materialize([history], resources={"io_manager": io_manager}, raise_on_error=False)
    assert not result.success
    assert len(attempts) == 1
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "was terminated while" in failure.step_failure_data.error.message
    assert not postgres.table_exists(postgres.schema("bronze"), "history")


def test_frame_stream_batches_must_share_columns(
    io_manager: PostgresPandasIOManager, postgres: PostgresResource
) -> None:
    batches = [
        pd.DataFrame({"content_hash": ["a"], "doc": [{"n": 1}]}),
        pd.DataFrame({"content_hash": ["b"], "doc": ["text, not JSON"]}),
    ]
    history, _ = _streamed_history(batches)
    with pytest.raises(Exception, match="Batch 2 of the FrameStream has columns"):
        materialize([history], resources={"io_manager": io_manager})
    assert not postgres.table_exists(postgres.schema("bronze"), "history")


def test_frame_stream_needs_append_mode(io_manager: PostgresPandasIOManager) -> None:
    @asset(key_prefix="bronze")
    def history() -> FrameStream:
        return FrameStream(iter([pd.DataFrame({"id": [1]})]))

    with pytest.raises(ValueError, match="returned a FrameStream, which the IO manager appends"):
        materialize([history], resources={"io_manager": io_manager})
