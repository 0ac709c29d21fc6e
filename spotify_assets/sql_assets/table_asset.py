"""Turn a ``TableSpec`` and the SQL file that builds it into a Dagster asset.

The asset does everything in one transaction on one connection, so a failure or a killed process
leaves the previous table as it was:

1. run the setup files (session views) and the build file, which creates a staging table;
2. compare the staging table's columns with the spec and fail, before the swap, on any difference;
3. swap the staging table in (the warehouse's drop-and-rename, as the IO manager does), analyze it, and comment it
   from the spec;
4. measure it and evaluate the spec's checks against it; commit.

It reports what the IO manager reports (table name, row count, column schema), plus the build's and
the checks' time, optional-field shares, and for accounted tables the rows in, out and quarantined.
"""

import time
from collections.abc import Mapping, Sequence

import psycopg
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AutomationCondition,
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

FIELD_SHARES_KEY = "optional_field_shares"


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


def _previous(context: AssetExecutionContext, key: AssetKey) -> tuple[int | None, dict]:
    """Row count and optional-field shares of the asset's latest materialization, if any."""
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None, {}
    metadata = event.asset_materialization.metadata
    row_count = metadata.get("dagster/row_count")
    shares = metadata.get(FIELD_SHARES_KEY)
    return (
        None if row_count is None else int(row_count.value),
        dict(shares.value) if shares is not None else {},
    )


def build_table(
    context: AssetExecutionContext,
    postgres: PostgresResource,
    *,
    spec: TableSpec,
    sql_file: str,
    setup_sql_files: Sequence[str] = (),
) -> MaterializeResult:
    """Build, verify, swap, comment and check ``spec``'s table in one transaction."""
    started = time.perf_counter()
    schema = postgres.schema(spec.layer)
    postgres.ensure_schema(schema)
    target = sql.Identifier(schema, spec.name)
    target_name = f"{schema}.{spec.name}"
    staging = ddl.staging_name(spec.name)
    previous_rows, previous_shares = _previous(context, spec.key)

    with postgres.get_connection() as conn:
        # One snapshot for the build, its accounting and its checks.
        conn.execute("set transaction isolation level repeatable read")
        # JIT compiles the hundreds of JSON expressions of a build before running them once: at
        # 20k albums that took 9.9 s of the quarantine's 10 s on PostgreSQL 15 (2.3 s without).
        conn.execute("set local jit = off")
        for name in setup_sql_files:
            postgres.run_sql_file(name, connection=conn)
        postgres.run_sql_file(sql_file, identifiers={"target": staging}, connection=conn)
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
    }
    if spec.optional_fields:
        metadata[FIELD_SHARES_KEY] = MetadataValue.json(dict(measurements.field_shares))
    if measurements.accounting is not None:
        metadata.update(measurements.accounting.metadata())
    if breakdown is not None:
        metadata[f"rows_by_{'_and_'.join(spec.count_by)}"] = MetadataValue.json(breakdown)
    return MaterializeResult(metadata=metadata, check_results=check_results)


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
    sql_path(sql_file)  # fail at import time, not at run time, when the file is missing
    for name in setup_sql_files:
        sql_path(name)

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
        deps=[dep.key if isinstance(dep, TableSpec) else dep for dep in deps],
        check_specs=check_specs(spec),
        automation_condition=AutomationCondition.eager(),
    )
    def _sql_table(context: AssetExecutionContext, postgres: PostgresResource) -> MaterializeResult:
        return build_table(
            context, postgres, spec=spec, sql_file=sql_file, setup_sql_files=setup_sql_files
        )

    return _sql_table
