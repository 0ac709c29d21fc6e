"""Turn a ``TableSpec`` and the SQL file that builds it into a Dagster asset.

The asset does everything in one transaction on one connection, so a failure or a killed process
leaves the previous table as it was:

1. run the setup files (session views) and the build file, which creates a staging table;
2. compare the staging table's columns with the spec and fail, before the swap, on any difference;
3. swap the staging table in (the warehouse's drop-and-rename, as the IO manager does), analyze it, and comment it
   from the spec;
4. measure it and evaluate the spec's checks against it; commit.

A build whose inputs are as the last build left them skips all of that: when the code version and
every input table's version (``warehouse/table_versions.py``) match what the latest
materialization recorded, and the table is still the one it built, the asset emits a
materialization with the same data version, the previous metadata and the previous check results
(each marked ``reused_from_run``), and the table is not touched. So checks and automation see
one materialization per build request either way, and a no-change run costs a few queries.

It reports what the IO manager reports (table name, row count, column schema), plus the build's and
the checks' time, optional-field shares, and for accounted tables the rows in, out and quarantined.
"""

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psycopg
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AutomationCondition,
    DataVersion,
    EventLogEntry,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from psycopg import sql

from spotify_assets.constants import OWNER
from spotify_assets.sql_assets.checks import (
    Measurements,
    accounting,
    check_specs,
    counts_by,
    evaluate_checks,
    field_shares,
)
from spotify_assets.sql_assets.spec import TableSpec, canonical_type
from spotify_assets.warehouse import ddl
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets.warehouse.sql_files import sql_path
from spotify_assets.warehouse.table_metadata import table_metadata
from spotify_assets.warehouse.table_versions import (
    code_version,
    digest,
    input_versions,
    table_version,
)

FIELD_SHARES_KEY = "optional_field_shares"
INPUT_VERSION_KEY = "input_version"
TABLE_VERSION_KEY = "table_version"
REUSED_KEY = "reused_from_run"
# Metadata of a build that a reuse does not carry over: it says what this step itself did.
_PER_STEP_KEYS = {"build_seconds", "check_seconds", "rebuilt", REUSED_KEY}


class ColumnMismatchError(RuntimeError):
    """The SQL file built columns other than the spec's; raised before the table is replaced."""


def column_differences(
    expected: Sequence[tuple[str, str]], actual: Sequence[tuple[str, str]]
) -> list[str]:
    """How ``actual`` (name, type) columns differ from ``expected``, one phrase per difference."""
    expected_types = {name: canonical_type(pg_type) for name, pg_type in expected}
    actual_types = {name: canonical_type(pg_type) for name, pg_type in actual}
    differences = []
    missing = [name for name in expected_types if name not in actual_types]
    unexpected = [name for name in actual_types if name not in expected_types]
    if missing:
        differences.append(f"missing columns {missing}")
    if unexpected:
        differences.append(f"unexpected columns {unexpected}")
    for name, pg_type in expected_types.items():
        if name in actual_types and actual_types[name] != pg_type:
            differences.append(f"column '{name}' is {actual_types[name]}, the spec says {pg_type}")
    if not differences and list(actual_types) != list(expected_types):
        differences.append(
            f"columns are in order {list(actual_types)}, the spec says {list(expected_types)}"
        )
    return differences


def _columns(conn: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        ddl.existing_columns_query(placeholders=("%s", "%s")), [schema, table]
    ).fetchall()
    return [(name, pg_type) for name, pg_type, _ in rows]


def _previous(event: EventLogEntry | None) -> tuple[int | None, dict]:
    """Row count and optional-field shares of the asset's latest materialization, if any."""
    if event is None or event.asset_materialization is None:
        return None, {}
    metadata = event.asset_materialization.metadata
    row_count = metadata.get("dagster/row_count")
    shares = metadata.get(FIELD_SHARES_KEY)
    return (
        None if row_count is None else int(row_count.value),
        dict(shares.value) if shares is not None else {},
    )


def _recorded(event: EventLogEntry | None, key: str) -> object:
    if event is None or event.asset_materialization is None:
        return None
    entry = event.asset_materialization.metadata.get(key)
    return None if entry is None else entry.value


def reused_checks(
    context: AssetExecutionContext, spec: TableSpec, event: EventLogEntry, origin: str
) -> list[AssetCheckResult] | None:
    """The checks of the materialization ``event`` as results of this step; None if any is missing."""
    results = []
    storage = context.instance.event_log_storage
    for check_spec in check_specs(spec):
        # This run has planned the check already: its latest record is this run's, unevaluated.
        history = storage.get_asset_check_execution_history(check_spec.key, limit=2)
        record = next((r for r in history if r.run_id != context.run.run_id), None)
        evaluation = (
            None if record is None or record.event is None else record.event.asset_check_evaluation
        )
        if evaluation is None or record.run_id != event.run_id:
            return None
        results.append(
            AssetCheckResult(
                check_name=check_spec.name,
                passed=evaluation.passed,
                severity=evaluation.severity,
                description=evaluation.description,
                metadata={**evaluation.metadata, REUSED_KEY: origin},
            )
        )
    return results


def _reuse(
    context: AssetExecutionContext,
    spec: TableSpec,
    event: EventLogEntry,
    inputs: str,
    started: float,
) -> MaterializeResult | None:
    """The latest build's materialization again, for inputs that did not change; None to rebuild."""
    assert event.asset_materialization is not None
    origin = str(_recorded(event, REUSED_KEY) or event.run_id)
    checks = reused_checks(context, spec, event, origin)
    if checks is None:
        return None
    kept = {
        name: value
        for name, value in event.asset_materialization.metadata.items()
        if name not in _PER_STEP_KEYS
    }
    context.log.info(
        f"{spec.layer}.{spec.name}: its inputs and code are as run {origin} built it; not rebuilt."
    )
    return MaterializeResult(
        metadata={
            **kept,
            "rebuilt": False,
            REUSED_KEY: origin,
            "build_seconds": round(time.perf_counter() - started, 3),
            "check_seconds": 0.0,
        },
        check_results=checks,
        data_version=DataVersion(inputs),
    )


def build_table(
    context: AssetExecutionContext,
    postgres: PostgresResource,
    *,
    spec: TableSpec,
    sql_file: str,
    setup_sql_files: Sequence[str] = (),
    inputs: Sequence[AssetKey] = (),
    version: str = "",
) -> MaterializeResult:
    """Build, verify, swap, comment and check ``spec``'s table in one transaction.

    ``inputs`` are the assets whose tables the build reads and ``version`` the code version: when
    neither changed since the latest build, that build's materialization is reused (see above).
    """
    started = time.perf_counter()
    schema = postgres.schema(spec.layer)
    target = sql.Identifier(schema, spec.name)
    target_name = f"{schema}.{spec.name}"
    staging = ddl.staging_name(spec.name)
    latest = context.instance.get_latest_materialization_event(spec.key)
    previous_rows, previous_shares = _previous(latest)

    with postgres.get_connection() as conn:
        postgres.ensure_schema(schema, connection=conn)
        # One snapshot for the build, its accounting and its checks.
        conn.execute("set transaction isolation level repeatable read")
        # JIT compiles the hundreds of JSON expressions of a build before running them once: at
        # 20k albums that took 9.9 s of the quarantine's 10 s on PostgreSQL 15 (2.3 s without).
        conn.execute("set local jit = off")
        # Builds sort and hash millions of JSON-derived rows; at PostgreSQL's 4 MB default they
        # spill to disk (silver at 1,000 artists: 22% of its SQL time, more as the catalog grows).
        conn.execute("set local work_mem = '64MB'")
        read = [(postgres.schema(key.path[0]), key.path[-1]) for key in inputs]
        versions = input_versions(conn, read)
        input_version = digest([version, sorted(versions.items())])
        if (
            latest is not None
            and _recorded(latest, INPUT_VERSION_KEY) == input_version
            and _recorded(latest, TABLE_VERSION_KEY) == table_version(conn, schema, spec.name)
        ):
            reused = _reuse(context, spec, latest, input_version, started)
            if reused is not None:
                return reused
        try:
            for name in setup_sql_files:
                postgres.run_sql_file(name, connection=conn)
            postgres.run_sql_file(sql_file, identifiers={"target": staging}, connection=conn)
        except psycopg.errors.UndefinedTable as exc:
            raise Failure(
                description=f"{sql_file}.sql reads a table that is not there "
                f"({exc.diag.message_primary}). Materialize its upstream assets first "
                f"({', '.join(key.to_user_string() for key in inputs)}); a bronze table's "
                "__latest pointer is made by its bronze asset's next run.",
                allow_retries=False,
            ) from exc
        built = _columns(conn, schema, staging)
        if not built:
            raise ColumnMismatchError(
                f"{sql_file}.sql did not create the table it was given ({{target}}, here "
                f"{schema}.{staging}); it must `create table {{{spec.layer}}}.{{target}} as ...`."
            )
        differences = column_differences(spec.column_types, built)
        if differences:
            raise ColumnMismatchError(
                f"{sql_file}.sql built columns that differ from the spec of {target_name}: "
                + "; ".join(differences)
                + f". Change the SQL or the spec in the asset module; {target_name} was left as it was."
            )
        for statement in ddl.swap_statements(schema, spec.name, staging):
            conn.execute(statement)
        # Fresh tables have no statistics; without them the checks and the next layer's joins
        # get plans for empty tables.
        conn.execute(sql.SQL("analyze {}").format(target))
        for statement in ddl.comment_statements(
            schema, spec.name, spec.description, spec.column_descriptions
        ):
            conn.execute(statement)

        built_at = time.perf_counter()
        row_count = conn.execute(sql.SQL("select count(*) from {}").format(target)).fetchone()[0]
        built_version = table_version(conn, schema, spec.name)
        measurements = Measurements(
            row_count=row_count,
            field_shares=field_shares(conn, target, spec.optional_fields),
            accounting=accounting(conn, spec, row_count) if spec.accounted else None,
            previous_row_count=previous_rows,
            previous_field_shares=previous_shares,
        )
        check_results = evaluate_checks(conn, spec, schema, measurements)
        breakdown = counts_by(conn, target, spec.count_by) if spec.count_by else None
        checked_at = time.perf_counter()

    nullable = {col.name: col.constraints.nullable for col in spec.columns}
    metadata: dict[str, object] = {
        **table_metadata(
            target_name,
            row_count,
            {name: (pg_type, nullable.get(name, True)) for name, pg_type in built},
            spec.column_descriptions,
        ),
        # The set-based SQL (build, verify, swap, comment), then the measurements and checks.
        "build_seconds": round(built_at - started, 3),
        "check_seconds": round(checked_at - built_at, 3),
        "sql_file": MetadataValue.path(f"sql/{sql_file}.sql"),
        "rebuilt": True,
        INPUT_VERSION_KEY: input_version,
        "input_table_versions": MetadataValue.json(versions),
        TABLE_VERSION_KEY: built_version,
    }
    if spec.optional_fields:
        metadata[FIELD_SHARES_KEY] = MetadataValue.json(dict(measurements.field_shares))
    if measurements.accounting is not None:
        metadata.update(measurements.accounting.metadata())
    if breakdown is not None:
        metadata[f"rows_by_{'_and_'.join(spec.count_by)}"] = MetadataValue.json(breakdown)
    return MaterializeResult(
        metadata=metadata, check_results=check_results, data_version=DataVersion(input_version)
    )


def table_code_version(spec: TableSpec, sql_files: Sequence[str]) -> str:
    """What defines the table: its SQL files' text and its spec (columns and checks)."""
    return code_version(
        [*(Path(sql_path(name)).read_text("utf-8") for name in sql_files), repr(spec)]
    )


def sql_table_asset(
    *,
    spec: TableSpec,
    sql_file: str,
    deps: Sequence[AssetKey | TableSpec],
    setup_sql_files: Sequence[str] = (),
    owners: Sequence[str] = (OWNER,),
    extra_tags: Mapping[str, str] | None = None,
) -> AssetsDefinition:
    """The asset that builds ``spec``'s table by running ``sql/<sql_file>.sql``.

    Args:
        spec: The table: key ``[layer, name]``, grain, columns and checks.
        sql_file: The build file, relative to ``sql/`` without ``.sql``; it must create
            ``{<layer>}.{target}`` (the factory passes a staging name as ``target``).
        deps: Assets (keys or specs) whose tables the file reads.
        setup_sql_files: Files run first in the same transaction (e.g. session views).
        owners: Dagster owners.
        extra_tags: Tags added to ``layer``.
    """
    # Reading the files fails at import time, not at run time, when one is missing.
    version = table_code_version(spec, [*setup_sql_files, sql_file])
    inputs = [dep.key if isinstance(dep, TableSpec) else dep for dep in deps]

    @asset(
        key=spec.key,
        description=spec.description,
        group_name=spec.layer,
        kinds={"postgres", "sql"},
        owners=list(owners),
        tags={"layer": spec.layer, **(extra_tags or {})},
        # What the data catalog reads of the table besides its columns: the key, and the files
        # whose statements (session views first) its column lineage is parsed from.
        metadata={
            "dagster/column_schema": spec.column_schema,
            "primary_key": list(spec.primary_key),
            "sql_file": f"sql/{sql_file}.sql",
            "setup_sql_files": [f"sql/{name}.sql" for name in setup_sql_files],
        },
        deps=inputs,
        check_specs=check_specs(spec),
        code_version=version,
        automation_condition=AutomationCondition.eager(),
    )
    def _sql_table(context: AssetExecutionContext, postgres: PostgresResource) -> MaterializeResult:
        return build_table(
            context,
            postgres,
            spec=spec,
            sql_file=sql_file,
            setup_sql_files=setup_sql_files,
            inputs=inputs,
            version=version,
        )

    return _sql_table
