"""The SQL-table asset factory on a real PostgreSQL: build, verify, swap, comment, check, report.

Uses a toy ``gold.widgets`` table whose SQL file copies a source table the test fills, so each case
is one INSERT away. Covers atomicity (failed and killed builds), column-mismatch detection, every
generic check passing and failing with offending ids, and the history-based checks across two
materializations. The silver and gold SQL themselves are tested under silver/ and gold/.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    AutomationCondition,
    DagsterInstance,
    TableSchema,
    build_asset_context,
)
from psycopg import sql

from spotify_assets.sql_assets import (
    AcceptedValues,
    ColumnMismatchError,
    ForeignKey,
    TableSpec,
    ValueRange,
    column,
    column_differences,
    sql_table_asset,
)
from spotify_assets.warehouse import sql_files
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.assets.runs import build, check_metadata, checks, failed_checks, metadata

pytestmark = pytest.mark.postgres

WIDGETS = TableSpec(
    layer="gold",
    name="widgets",
    description="One row per widget.",
    columns=(
        column("widget_id", "text", "Widget id.", nullable=False),
        column("part_id", "text", "The part it is made of (gold.parts)."),
        column("weight", "integer", "Weight in grams."),
        column("made_on", "date", "When it was made."),
        column("color", "text", "Paint colour, when the API sends it.", nullable=True),
        column("kind", "text", "a or b.", nullable=False),
    ),
    primary_key=("widget_id",),
    foreign_keys=(ForeignKey(("part_id",), "parts", ("part_id",)),),
    value_ranges=(ValueRange("weight", 0, 1000, exclusive_minimum=True),),
    accepted_values=(AcceptedValues("kind", ("a", "b")),),
    optional_fields=("color",),
    dates_not_in_future=("made_on",),
)

COPY_SOURCE = """\
-- Build the widgets table from the test's source table.
-- Parameters: none. Identifiers: {gold}, {target}.
create table {gold}.{target} as
select widget_id, part_id, weight, made_on, color, kind from {gold}.widget_source;
"""

GOOD = [
    ("w1", "p1", 10, "2020-01-01", "red", "a"),
    ("w2", "p1", 20, "2021-06-30", "blue", "b"),
    ("w3", "p2", 30, None, None, "a"),
]


@pytest.fixture
def sql_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``sql/`` folder the factory reads instead of the project's."""
    root = tmp_path / "sql"
    (root / "gold").mkdir(parents=True)
    monkeypatch.setattr(sql_files, "SQL_ROOT", root)
    return root


# The tables the widgets build reads, as its deps: a change to either rebuilds it.
SOURCES = [AssetKey(["gold", "widget_source"]), AssetKey(["gold", "parts"])]


def _write_sql(root: Path, name: str, text: str) -> str:
    (root / f"{name}.sql").write_text(text, encoding="utf-8")
    return name


def _fill(postgres: PostgresResource, rows, parts=("p1", "p2")) -> None:
    schema = postgres.schema("gold")
    postgres.ensure_schema(schema)
    with postgres.get_connection() as conn:
        conn.execute(
            sql.SQL(
                "drop table if exists {src}; drop table if exists {parts}; "
                "create table {src} (widget_id text, part_id text, weight integer, made_on date, "
                "color text, kind text); create table {parts} (part_id text)"
            ).format(
                src=sql.Identifier(schema, "widget_source"), parts=sql.Identifier(schema, "parts")
            )
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                sql.SQL("insert into {} values (%s, %s, %s, %s, %s, %s)").format(
                    sql.Identifier(schema, "widget_source")
                ),
                rows,
            )
            cursor.executemany(
                sql.SQL("insert into {} values (%s)").format(sql.Identifier(schema, "parts")),
                [(part,) for part in parts],
            )


def _rows(postgres: PostgresResource, table: str = "widgets") -> list[tuple]:
    with postgres.get_connection() as conn:
        return conn.execute(
            sql.SQL("select * from {} order by 1").format(
                sql.Identifier(postgres.schema("gold"), table)
            )
        ).fetchall()


def _tables(postgres: PostgresResource) -> list[str]:
    with postgres.get_connection() as conn:
        return [
            name
            for (name,) in conn.execute(
                "select tablename from pg_tables where schemaname = %s order by 1",
                [postgres.schema("gold")],
            )
        ]


def _widgets_asset(sql_root: Path, text: str = COPY_SOURCE, spec: TableSpec = WIDGETS):
    _write_sql(sql_root, "gold/build_widgets", text)
    return sql_table_asset(spec=spec, sql_file="gold/build_widgets", deps=SOURCES)


def test_definition_carries_key_grain_kinds_owners_tags_automation_and_columns(sql_root):
    asset = _widgets_asset(sql_root)
    spec = asset.specs_by_key[WIDGETS.key]
    assert spec.key == AssetKey(["gold", "widgets"])
    assert spec.group_name == "gold"
    assert spec.description == "One row per widget."
    assert spec.kinds == {"postgres", "sql"}
    assert spec.owners == ["team:spotify-assets"]
    assert spec.tags["layer"] == "gold"
    assert spec.automation_condition == AutomationCondition.eager()
    assert {dep.asset_key for dep in spec.deps} == set(SOURCES)
    schema = spec.metadata["dagster/column_schema"]
    assert isinstance(schema, TableSchema)
    assert [(c.name, c.type, c.description) for c in schema.columns][:2] == [
        ("widget_id", "text", "Widget id."),
        ("part_id", "text", "The part it is made of (gold.parts)."),
    ]
    assert [check.name for check in asset.check_specs] == [
        "widgets_have_unique_ids",
        "widgets_have_required_values",
        "widgets_reference_existing_parts",
        "widgets_have_values_in_range",
        "widgets_have_known_values",
        "widgets_have_no_future_dates",
        "widgets_row_count_is_stable",
        "widgets_optional_fields_still_arrive",
    ]


def test_a_missing_sql_file_fails_at_definition_time(sql_root):
    with pytest.raises(sql_files.SqlFileNotFoundError, match="gold/build_nothing"):
        sql_table_asset(spec=WIDGETS, sql_file="gold/build_nothing", deps=[])


def test_build_swaps_comments_checks_and_reports_like_the_io_manager(sql_root, postgres):
    _fill(postgres, GOOD)
    result = build(postgres, [_widgets_asset(sql_root)])

    assert [row[0] for row in _rows(postgres)] == ["w1", "w2", "w3"]
    assert _tables(postgres) == ["parts", "widget_source", "widgets"]  # no staging left behind
    assert not failed_checks(result)
    assert len(checks(result)) == 8
    reported = metadata(result, WIDGETS.key)
    assert reported["dagster/table_name"] == f"{postgres.schema('gold')}.widgets"
    assert reported["dagster/row_count"] == 3
    columns = reported["dagster/column_schema"].columns
    assert [(c.name, c.type, c.constraints.nullable) for c in columns] == [
        ("widget_id", "text", False),
        ("part_id", "text", True),
        ("weight", "integer", True),
        ("made_on", "date", True),
        ("color", "text", True),
        ("kind", "text", False),
    ]
    assert columns[4].description == "Paint colour, when the API sends it."
    assert reported["optional_field_shares"] == {"color": pytest.approx(2 / 3, abs=1e-6)}
    assert reported["build_seconds"] > 0
    assert reported["check_seconds"] > 0
    assert reported["sql_file"] == "sql/gold/build_widgets.sql"
    with postgres.get_connection() as conn:
        comments = dict(
            conn.execute(
                "select coalesce(a.attname, ''), coalesce(col_description(c.oid, a.attnum), "
                "obj_description(c.oid, 'pg_class')) from pg_class c join pg_namespace n on "
                "n.oid = c.relnamespace left join pg_attribute a on a.attrelid = c.oid and "
                "a.attnum > 0 and a.attname in ('widget_id', 'color') "
                "where n.nspname = %s and c.relname = 'widgets'",
                [postgres.schema("gold")],
            ).fetchall()
        )
    assert comments["widget_id"] == "Widget id."
    assert comments["color"] == "Paint colour, when the API sends it."


def test_running_twice_changes_nothing(sql_root, postgres):
    _fill(postgres, GOOD)
    asset = _widgets_asset(sql_root)
    build(postgres, [asset])
    first = _rows(postgres)
    result = build(postgres, [asset])
    assert _rows(postgres) == first
    assert _tables(postgres) == ["parts", "widget_source", "widgets"]
    assert not failed_checks(result)


def _file_node(postgres: PostgresResource) -> int:
    with postgres.get_connection() as conn:
        return conn.execute(
            "select c.relfilenode from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = %s and c.relname = 'widgets'",
            [postgres.schema("gold")],
        ).fetchone()[0]


def test_unchanged_inputs_reuse_the_build_and_any_change_rebuilds(sql_root, postgres):
    instance = DagsterInstance.ephemeral()
    _fill(postgres, GOOD)
    asset = _widgets_asset(sql_root)
    first = build(postgres, [asset], instance=instance)
    node = _file_node(postgres)

    again = build(postgres, [asset], instance=instance)
    reused = metadata(again, WIDGETS.key)
    assert (reused["rebuilt"], reused["reused_from_run"]) == (False, first.run_id)
    assert reused["dagster/row_count"] == metadata(first, WIDGETS.key)["dagster/row_count"]
    assert _file_node(postgres) == node  # the table was not rewritten
    # Every check is reported again, as the build it describes evaluated it.
    assert {name: e.passed for name, e in checks(again).items()} == {
        name: e.passed for name, e in checks(first).items()
    }
    assert {check_metadata(e)["reused_from_run"] for e in checks(again).values()} == {first.run_id}
    (event,) = again.get_asset_materialization_events()
    assert event.materialization.tags["dagster/data_version"] == reused["input_version"]

    # A third unchanged run still points at the build, not at the run that reused it.
    third = build(postgres, [asset], instance=instance)
    assert metadata(third, WIDGETS.key)["reused_from_run"] == first.run_id

    _fill(postgres, GOOD)  # the same rows, in new tables: an input changed
    rebuilt = build(postgres, [asset], instance=instance)
    assert metadata(rebuilt, WIDGETS.key)["rebuilt"] is True
    assert _file_node(postgres) != node

    # New code over the same inputs rebuilds too.
    node = _file_node(postgres)
    changed = _widgets_asset(sql_root, COPY_SOURCE + "\n-- reworded\n")
    assert changed.code_versions_by_key[WIDGETS.key] != asset.code_versions_by_key[WIDGETS.key]
    assert metadata(build(postgres, [changed], instance=instance), WIDGETS.key)["rebuilt"] is True
    assert _file_node(postgres) != node


def test_direct_invocation_with_build_asset_context(sql_root, postgres):
    _fill(postgres, GOOD)
    asset = _widgets_asset(sql_root)
    result = asset(context=build_asset_context(resources={"postgres": postgres}))
    assert result.metadata["dagster/row_count"] == 3
    assert {check.check_name: check.passed for check in result.check_results}[
        "widgets_have_unique_ids"
    ]


@pytest.mark.parametrize(
    ("actual", "message"),
    [
        ([("a", "text"), ("b", "integer")], None),
        ([("a", "text")], "missing columns ['b']"),
        ([("a", "text"), ("b", "integer"), ("c", "date")], "unexpected columns ['c']"),
        ([("a", "text"), ("b", "bigint")], "column 'b' is bigint, the spec says integer"),
        ([("b", "integer"), ("a", "text")], "columns are in order ['b', 'a']"),
        ([("a", "character varying"), ("b", "int4")], "column 'a' is character varying"),
    ],
)
def test_column_differences(actual, message):
    differences = column_differences([("a", "text"), ("b", "int")], actual)
    if message is None:
        assert differences == []
    else:
        assert any(message in difference for difference in differences), differences


def test_column_mismatch_fails_before_the_swap_naming_the_differences(sql_root, postgres):
    _fill(postgres, GOOD)
    build(postgres, [_widgets_asset(sql_root)])
    before = _rows(postgres)
    drifted = COPY_SOURCE.replace(
        "select widget_id, part_id, weight, made_on, color, kind",
        "select widget_id, part_id, weight::bigint as weight, made_on, kind, 1 as extra",
    )
    _fill(postgres, [("w9", "p1", 1, None, None, "a")])
    result = build(postgres, [_widgets_asset(sql_root, drifted)], raise_on_error=False)

    assert not result.success
    (failure,) = [event for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
    error = failure.event_specific_data.error.cause
    assert error.cls_name == ColumnMismatchError.__name__
    assert "missing columns ['color']" in error.message
    assert "unexpected columns ['extra']" in error.message
    assert "column 'weight' is bigint, the spec says integer" in error.message
    assert "was left as it was" in error.message
    assert _rows(postgres) == before
    assert _tables(postgres) == ["parts", "widget_source", "widgets"]


def test_a_failure_mid_build_leaves_the_previous_table(sql_root, postgres):
    _fill(postgres, GOOD)
    build(postgres, [_widgets_asset(sql_root)])
    before = _rows(postgres)
    _fill(postgres, [("w9", "p1", 1, None, None, "a")])
    failing = COPY_SOURCE + "select 1 / (select count(*) - count(*) from {gold}.{target});\n"
    result = build(postgres, [_widgets_asset(sql_root, failing)], raise_on_error=False)

    assert not result.success
    assert _rows(postgres) == before
    assert _tables(postgres) == ["parts", "widget_source", "widgets"]


def test_a_killed_build_leaves_the_previous_table(sql_root, postgres):
    _fill(postgres, GOOD)
    build(postgres, [_widgets_asset(sql_root)])
    before = _rows(postgres)
    # The server runs the sleep to its end, then finds its client gone and rolls back.
    slow = COPY_SOURCE + "select pg_sleep(2);\n"
    _write_sql(sql_root, "gold/build_widgets", slow)
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from dagster import build_asset_context
        from spotify_assets.warehouse import sql_files
        from spotify_assets.warehouse.connection import PostgresResource
        from spotify_assets_tests.sql_assets.test_table_asset import WIDGETS
        from spotify_assets.sql_assets import sql_table_asset
        sql_files.SQL_ROOT = Path({str(sql_root)!r})
        postgres = PostgresResource(
            url={postgres.target_url!r}, home={postgres.home!r}, schema_prefix={postgres.schema_prefix!r}
        )
        asset = sql_table_asset(spec=WIDGETS, sql_file="gold/build_widgets", deps=[])
        asset(context=build_asset_context(resources={{"postgres": postgres}}))
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    backend = None
    try:
        deadline = time.monotonic() + 60
        while backend is None and time.monotonic() < deadline:
            assert process.poll() is None, "the build process ended before it was killed"
            with psycopg.connect(postgres.target_url, autocommit=True) as conn:
                found = conn.execute(
                    "select pid from pg_stat_activity where state = 'active' "
                    "and query like '%%' || %s || '%%' and pid <> pg_backend_pid()",
                    [postgres.schema_prefix],
                ).fetchone()
            backend = found[0] if found and "pg_sleep" in _activity(postgres, found[0]) else None
            time.sleep(0.05)
        assert backend is not None, "the build never reached its slow statement"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 30
    while _activity(postgres, backend) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _activity(postgres, backend), "the orphaned transaction never ended"
    assert _rows(postgres) == before
    assert _tables(postgres) == ["parts", "widget_source", "widgets"]


def _activity(postgres: PostgresResource, pid: int | None) -> str:
    """The query backend ``pid`` runs ('' once it has ended)."""
    with psycopg.connect(postgres.target_url, autocommit=True) as conn:
        row = conn.execute("select query from pg_stat_activity where pid = %s", [pid]).fetchone()
    return row[0] if row else ""


def test_every_check_fails_with_offending_ids(sql_root, postgres):
    bad = [
        ("w1", "p1", 10, "2020-01-01", "red", "a"),
        ("w1", "p1", 11, "2020-01-02", "red", "a"),  # duplicate id
        (None, "p1", 12, None, None, "a"),  # null id
        ("w4", "p9", 13, None, None, "a"),  # unknown part
        ("w5", "p1", 0, None, None, "b"),  # weight not > 0
        ("w6", "p1", 5000, None, None, "b"),  # weight above 1000
        ("w7", "p1", 14, None, None, "z"),  # unknown kind
        ("w8", "p1", 15, "2999-01-01", None, "a"),  # in the future
        ("w9", "p1", 16, None, None, None),  # kind required
    ]
    _fill(postgres, bad)
    result = build(postgres, [_widgets_asset(sql_root)])
    failed = failed_checks(result)

    assert set(failed) == {
        "widgets_have_unique_ids",
        "widgets_have_required_values",
        "widgets_reference_existing_parts",
        "widgets_have_values_in_range",
        "widgets_have_known_values",
        "widgets_have_no_future_dates",
    }
    unique = check_metadata(failed["widgets_have_unique_ids"])
    assert unique["offending_ids"] == ["w1"]
    assert unique["duplicate_keys"] == 1
    assert unique["rows_with_null_keys"] == 1
    assert failed["widgets_have_unique_ids"].severity == AssetCheckSeverity.ERROR
    required = check_metadata(failed["widgets_have_required_values"])
    assert required["null_counts"] == {"kind": 1}
    assert required["offending_ids"] == ["w9"]
    orphans = check_metadata(failed["widgets_reference_existing_parts"])
    assert orphans["orphan_rows"] == 1
    assert orphans["offending_ids"] == ["w4"]
    assert orphans["missing_references"] == ["p9"]
    ranges = check_metadata(failed["widgets_have_values_in_range"])
    assert ranges["rows_out_of_range"] == {"weight": 2}
    assert ranges["offending_ids"] == {"weight": ["w5", "w6"]}
    known = check_metadata(failed["widgets_have_known_values"])
    assert known["unknown_values"] == {"kind": {"z": 1}}
    assert known["offending_ids"] == {"kind": ["w7"]}
    assert failed["widgets_have_known_values"].severity == AssetCheckSeverity.WARN
    future = check_metadata(failed["widgets_have_no_future_dates"])
    assert future["offending_ids"] == {"made_on": ["w8"]}
    assert failed["widgets_have_no_future_dates"].severity == AssetCheckSeverity.WARN


def test_a_missing_referenced_table_fails_the_foreign_key_check(sql_root, postgres):
    _fill(postgres, GOOD)
    with postgres.get_connection() as conn:
        conn.execute(
            sql.SQL("drop table {}").format(sql.Identifier(postgres.schema("gold"), "parts"))
        )
    result = build(postgres, [_widgets_asset(sql_root)])
    failed = failed_checks(result)
    assert set(failed) == {"widgets_reference_existing_parts"}
    assert "does not exist" in check_metadata(failed["widgets_reference_existing_parts"])["error"]


def test_row_count_collapse_and_vanished_fields_warn_across_materializations(sql_root, postgres):
    instance = DagsterInstance.ephemeral()
    asset = _widgets_asset(sql_root)
    _fill(postgres, [*GOOD, ("w4", "p2", 40, None, "green", "b")])
    first = build(postgres, [asset], instance=instance)
    assert not failed_checks(first)
    assert (
        check_metadata(checks(first)["widgets_row_count_is_stable"])["previous_row_count"] is None
    )

    # Half the rows is still fine; the colour has stopped arriving everywhere (development mode).
    two = [("w1", "p1", 10, None, None, "a"), ("w2", "p1", 20, None, None, "b")]
    _fill(postgres, two)
    second = build(postgres, [asset], instance=instance)
    failed = failed_checks(second)
    assert set(failed) == {"widgets_optional_fields_still_arrive"}
    vanished = check_metadata(failed["widgets_optional_fields_still_arrive"])
    assert vanished["vanished_fields"] == ["color"]
    assert vanished["previous_field_shares"] == {"color": 0.75}
    assert vanished["field_shares"] == {"color": 0.0}
    assert failed["widgets_optional_fields_still_arrive"].severity == AssetCheckSeverity.WARN
    assert metadata(second, WIDGETS.key)["optional_field_shares"] == {"color": 0.0}

    # A field absent before and now is no news; a collapse to under half the rows is.
    _fill(postgres, [*two, ("w3", "p1", 30, None, None, "a")])
    assert not failed_checks(build(postgres, [asset], instance=instance))
    _fill(postgres, two[:1])
    fourth = build(postgres, [asset], instance=instance)
    failed = failed_checks(fourth)
    assert set(failed) == {"widgets_row_count_is_stable"}
    collapse = check_metadata(failed["widgets_row_count_is_stable"])
    assert collapse["row_count"] == 1
    assert collapse["previous_row_count"] == 3
    assert collapse["ratio_to_previous"] == pytest.approx(1 / 3)
    assert collapse["minimum_ratio"] == 0.5
    assert failed["widgets_row_count_is_stable"].severity == AssetCheckSeverity.WARN


def test_a_spec_rejects_unknown_columns_and_missing_descriptions():
    with pytest.raises(ValueError, match=r"\['nope'\] are not columns"):
        TableSpec(
            layer="gold",
            name="t",
            description="One row per t.",
            columns=(column("a", "text", "A."),),
            primary_key=("nope",),
        )
    with pytest.raises(ValueError, match="need a description"):
        TableSpec(
            layer="gold",
            name="t",
            description="One row per t.",
            columns=(column("a", "text", ""),),
            primary_key=("a",),
        )
