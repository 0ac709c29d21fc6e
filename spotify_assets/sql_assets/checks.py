"""The checks every SQL table gets from its spec, computed in the transaction that builds it.

Each check is declared up front (``check_specs``) so Dagster shows it before the first run, and
evaluated on the freshly swapped table before commit, so a result always describes the rows that
were committed with it. Failing checks name the offending keys (a sample) in their metadata.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import psycopg
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, MetadataValue
from psycopg import sql

from spotify_assets.sql_assets.spec import TableSpec
from spotify_assets.warehouse import ddl

SAMPLE_SIZE = 20

# The setup SQL of an accounted table defines these session views (see sql/silver/define_*.sql):
# <table>_source_keys(key): one row per source object, key null when it has no id;
# <table>_quarantined(is_kept, target_key, ...): records it set aside or kept without a field.


def source_keys_view(spec: TableSpec) -> sql.Identifier:
    return sql.Identifier(f"{spec.name}_source_keys")


def quarantine_view(spec: TableSpec) -> sql.Identifier:
    return sql.Identifier(f"{spec.name}_quarantined")


WARN = AssetCheckSeverity.WARN
ERROR = AssetCheckSeverity.ERROR


@dataclass(frozen=True)
class Accounting:
    """Where a silver table's rows came from and went."""

    source_objects: int
    source_rows: int
    rows_out: int
    rows_quarantined: int
    rows_with_quarantined_fields: int

    @property
    def balances(self) -> bool:
        return self.source_rows == self.rows_out + self.rows_quarantined

    def metadata(self) -> dict[str, int]:
        return {
            "source_objects": self.source_objects,
            "source_rows": self.source_rows,
            "rows_out": self.rows_out,
            "rows_quarantined": self.rows_quarantined,
            "rows_with_quarantined_fields": self.rows_with_quarantined_fields,
        }


@dataclass(frozen=True)
class Measurements:
    """What the build measured; the checks compare it with expectations and history."""

    row_count: int
    field_shares: Mapping[str, float | None] = field(default_factory=dict)
    accounting: Accounting | None = None
    previous_row_count: int | None = None
    previous_field_shares: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckInput:
    conn: psycopg.Connection
    spec: TableSpec
    schema: str
    measurements: Measurements

    @property
    def table(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.spec.name)


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    severity: AssetCheckSeverity
    evaluate: Callable[[CheckInput], tuple[bool, dict[str, object]]]


# -- helpers ------------------------------------------------------------------------------------


def render_key(columns: Sequence[str], alias: str | None = None) -> sql.Composable:
    """``concat_ws('/', ...)`` of the columns as text, 'null' for nulls: how keys are shown."""
    parts = [
        sql.SQL("coalesce({}::text, 'null')").format(
            sql.Identifier(alias, name) if alias else sql.Identifier(name)
        )
        for name in columns
    ]
    return sql.SQL("concat_ws('/', {})").format(sql.SQL(", ").join(parts))


def _fetch_all(
    conn: psycopg.Connection, query: sql.Composable, params: Sequence[object] = ()
) -> list[tuple]:
    return conn.execute(query, params or None).fetchall()


def _scalar(conn: psycopg.Connection, query: sql.Composable, params: Sequence[object] = ()) -> int:
    return conn.execute(query, params or None).fetchone()[0]


def _sample(values: Sequence[object]) -> MetadataValue:
    return MetadataValue.json(list(values)[:SAMPLE_SIZE])


def _table_exists(conn: psycopg.Connection, schema: str, table: str) -> bool:
    return conn.execute(ddl.table_exists_query(("%s", "%s")), [schema, table]).fetchone()[0]


def _plural_key(spec: TableSpec) -> str:
    key = spec.primary_key
    return "ids" if len(key) == 1 and key[0].endswith("_id") else "keys"


# -- the checks ---------------------------------------------------------------------------------


def _unique_keys(check: CheckInput) -> tuple[bool, dict[str, object]]:
    spec = check.spec
    key_columns = sql.SQL(", ").join(sql.Identifier(name) for name in spec.primary_key)
    duplicate_count, duplicates = check.conn.execute(
        sql.SQL(
            "with duplicates as (select {key} as key from {table} group by {columns} "
            "having count(*) > 1) select (select count(*) from duplicates), "
            "(select coalesce(array_agg(key order by key), '{{}}') from "
            "(select key from duplicates order by key limit {limit}) as sample)"
        ).format(
            key=render_key(spec.primary_key),
            table=check.table,
            columns=key_columns,
            limit=sql.Literal(SAMPLE_SIZE),
        )
    ).fetchone()
    required = [name for name in spec.primary_key if name in spec.required_columns]
    null_rows = 0
    if required:
        null_rows = _scalar(
            check.conn,
            sql.SQL("select count(*) from {table} where {condition}").format(
                table=check.table,
                condition=sql.SQL(" or ").join(
                    sql.SQL("{} is null").format(sql.Identifier(name)) for name in required
                ),
            ),
        )
    return duplicate_count == 0 and null_rows == 0, {
        "duplicate_keys": duplicate_count,
        "rows_with_null_keys": null_rows,
        "offending_ids": _sample(duplicates),
    }


def _required_values(check: CheckInput) -> tuple[bool, dict[str, object]]:
    spec = check.spec
    columns = [name for name in spec.required_columns if name not in spec.primary_key]
    condition = sql.SQL(" or ").join(
        sql.SQL("{} is null").format(sql.Identifier(name)) for name in columns
    )
    counts = check.conn.execute(
        sql.SQL("select {} from {}").format(
            sql.SQL(", ").join(
                sql.SQL("count(*) filter (where {} is null)").format(sql.Identifier(name))
                for name in columns
            ),
            check.table,
        )
    ).fetchone()
    nulls = {name: count for name, count in zip(columns, counts, strict=True) if count}
    # The sample is a second scan: only worth it when there is something to show.
    offending = (
        _fetch_all(
            check.conn,
            sql.SQL("select {} from {} where {} order by 1 limit {}").format(
                render_key(spec.primary_key), check.table, condition, sql.Literal(SAMPLE_SIZE)
            ),
        )
        if nulls
        else []
    )
    return not nulls, {
        "null_counts": MetadataValue.json(nulls),
        "offending_ids": _sample([row[0] for row in offending]),
    }


def _foreign_key(index: int) -> Callable[[CheckInput], tuple[bool, dict[str, object]]]:
    def evaluate(check: CheckInput) -> tuple[bool, dict[str, object]]:
        spec = check.spec
        fk = spec.foreign_keys[index]
        if not _table_exists(check.conn, check.schema, fk.table):
            return False, {
                "error": f"The referenced table {check.schema}.{fk.table} does not exist; "
                f"materialize {spec.layer}/{fk.table} first."
            }
        matches = sql.SQL(" and ").join(
            sql.SQL("p.{} = c.{}").format(sql.Identifier(ref), sql.Identifier(col))
            for col, ref in zip(fk.columns, fk.referenced_columns, strict=True)
        )
        present = sql.SQL(" and ").join(
            sql.SQL("c.{} is not null").format(sql.Identifier(col)) for col in fk.columns
        )
        orphans = sql.SQL(
            "from {child} c where {present} and not exists (select 1 from {parent} p where {matches})"
        ).format(
            child=check.table,
            present=present,
            parent=sql.Identifier(check.schema, fk.table),
            matches=matches,
        )
        count = _scalar(check.conn, sql.SQL("select count(*) {}").format(orphans))
        sample = (
            _fetch_all(
                check.conn,
                sql.SQL("select {key}, {ref} {orphans} order by 1 limit {limit}").format(
                    key=render_key(spec.primary_key, "c"),
                    ref=render_key(fk.columns, "c"),
                    orphans=orphans,
                    limit=sql.Literal(SAMPLE_SIZE),
                ),
            )
            if count
            else []
        )
        return count == 0, {
            "orphan_rows": count,
            "offending_ids": _sample([row[0] for row in sample]),
            "missing_references": _sample(sorted({row[1] for row in sample})),
        }

    return evaluate


def _values_in_range(check: CheckInput) -> tuple[bool, dict[str, object]]:
    spec = check.spec
    out_of_range: dict[str, int] = {}
    offending: dict[str, list[str]] = {}
    for rule in spec.value_ranges:
        bounds: list[sql.Composable] = []
        params: list[object] = []
        target = sql.Identifier(rule.column)
        if rule.minimum is not None:
            operator = ">" if rule.exclusive_minimum else ">="
            bounds.append(sql.SQL(f"{{}} {operator} %s").format(target))
            params.append(rule.minimum)
        if rule.maximum is not None:
            bounds.append(sql.SQL("{} <= %s").format(target))
            params.append(rule.maximum)
        violation = sql.SQL("{} is not null and not ({})").format(
            target, sql.SQL(" and ").join(bounds)
        )
        count = _scalar(
            check.conn,
            sql.SQL("select count(*) from {} where {}").format(check.table, violation),
            params,
        )
        if count:
            out_of_range[rule.column] = count
            offending[rule.column] = [
                row[0]
                for row in _fetch_all(
                    check.conn,
                    sql.SQL("select {} from {} where {} order by 1 limit {}").format(
                        render_key(spec.primary_key),
                        check.table,
                        violation,
                        sql.Literal(SAMPLE_SIZE),
                    ),
                    params,
                )
            ]
    return not out_of_range, {
        "bounds": MetadataValue.json(
            {
                rule.column: {
                    "minimum": rule.minimum,
                    "maximum": rule.maximum,
                    "exclusive_minimum": rule.exclusive_minimum,
                }
                for rule in spec.value_ranges
            }
        ),
        "rows_out_of_range": MetadataValue.json(out_of_range),
        "offending_ids": MetadataValue.json(offending),
    }


def _known_values(check: CheckInput) -> tuple[bool, dict[str, object]]:
    spec = check.spec
    unknown: dict[str, dict[str, int]] = {}
    offending: dict[str, list[str]] = {}
    for rule in spec.accepted_values:
        target = sql.Identifier(rule.column)
        violation = sql.SQL("{} is not null and not ({} = any(%s))").format(target, target)
        rows = _fetch_all(
            check.conn,
            sql.SQL("select {}::text, count(*) from {} where {} group by 1 order by 1").format(
                target, check.table, violation
            ),
            [list(rule.values)],
        )
        if rows:
            unknown[rule.column] = dict(rows)
            offending[rule.column] = [
                row[0]
                for row in _fetch_all(
                    check.conn,
                    sql.SQL("select {} from {} where {} order by 1 limit {}").format(
                        render_key(spec.primary_key),
                        check.table,
                        violation,
                        sql.Literal(SAMPLE_SIZE),
                    ),
                    [list(rule.values)],
                )
            ]
    return not unknown, {
        "unknown_values": MetadataValue.json(unknown),
        "offending_ids": MetadataValue.json(offending),
    }


def _no_future_dates(check: CheckInput) -> tuple[bool, dict[str, object]]:
    spec = check.spec
    future: dict[str, int] = {}
    offending: dict[str, list[str]] = {}
    for name in spec.dates_not_in_future:
        violation = sql.SQL("{} > now()").format(sql.Identifier(name))
        count = _scalar(
            check.conn, sql.SQL("select count(*) from {} where {}").format(check.table, violation)
        )
        if count:
            future[name] = count
            offending[name] = [
                row[0]
                for row in _fetch_all(
                    check.conn,
                    sql.SQL("select {} from {} where {} order by 1 limit {}").format(
                        render_key(spec.primary_key),
                        check.table,
                        violation,
                        sql.Literal(SAMPLE_SIZE),
                    ),
                )
            ]
    return not future, {
        "rows_in_future": MetadataValue.json(future),
        "offending_ids": MetadataValue.json(offending),
    }


def _row_count_stable(check: CheckInput) -> tuple[bool, dict[str, object]]:
    measured = check.measurements
    previous = measured.previous_row_count
    minimum = check.spec.min_row_ratio
    ratio = None if not previous else measured.row_count / previous
    passed = ratio is None or minimum is None or ratio >= minimum
    return passed, {
        "row_count": measured.row_count,
        "previous_row_count": previous,
        "ratio_to_previous": ratio,
        "minimum_ratio": check.spec.min_row_ratio,
    }


def _optional_fields_arrive(check: CheckInput) -> tuple[bool, dict[str, object]]:
    measured = check.measurements
    vanished = sorted(
        name
        for name, share in measured.field_shares.items()
        if share == 0 and (measured.previous_field_shares.get(name) or 0) > 0
    )
    return not vanished, {
        "field_shares": MetadataValue.json(dict(measured.field_shares)),
        "previous_field_shares": MetadataValue.json(dict(measured.previous_field_shares)),
        "vanished_fields": MetadataValue.json(vanished),
    }


def _accounting_balances(check: CheckInput) -> tuple[bool, dict[str, object]]:
    accounting = check.measurements.accounting
    assert accounting is not None
    metadata: dict[str, object] = dict(accounting.metadata())
    if accounting.balances:
        return True, metadata
    spec = check.spec
    target_key = render_key(spec.primary_key, "t")
    unaccounted = _fetch_all(
        check.conn,
        sql.SQL(
            "select distinct s.key from {sources} s where s.key is not null "
            "and not exists (select 1 from {table} t where {target_key} = s.key) "
            "and not exists (select 1 from {quarantine} q where q.target_key = s.key) "
            "order by 1 limit {limit}"
        ).format(
            sources=source_keys_view(spec),
            table=check.table,
            target_key=target_key,
            quarantine=quarantine_view(spec),
            limit=sql.Literal(SAMPLE_SIZE),
        ),
    )
    without_source = _fetch_all(
        check.conn,
        sql.SQL(
            "select {target_key} from {table} t where not exists (select 1 from {sources} s "
            "where s.key = {target_key}) order by 1 limit {limit}"
        ).format(
            target_key=target_key,
            table=check.table,
            sources=source_keys_view(spec),
            limit=sql.Literal(SAMPLE_SIZE),
        ),
    )
    metadata["offending_ids"] = _sample([row[0] for row in unaccounted])
    metadata["rows_without_source"] = _sample([row[0] for row in without_source])
    return False, metadata


def spec_checks(spec: TableSpec) -> list[Check]:
    """The checks a spec asks for, in a stable order."""
    table = spec.name
    checks = [
        Check(
            f"{spec.predicate('have', 'has')}_unique_{_plural_key(spec)}",
            f"Key {', '.join(spec.primary_key)} is unique and set on every row.",
            ERROR,
            _unique_keys,
        )
    ]
    if any(name not in spec.primary_key for name in spec.required_columns):
        checks.append(
            Check(
                f"{spec.predicate('have', 'has')}_required_values",
                "Columns declared non-nullable hold a value on every row.",
                ERROR,
                _required_values,
            )
        )
    for index, fk in enumerate(spec.foreign_keys):
        checks.append(
            Check(
                f"{spec.predicate('reference', 'references')}_existing_{fk.table}",
                f"Every non-null ({', '.join(fk.columns)}) exists as "
                f"({', '.join(fk.referenced_columns)}) in {spec.layer}.{fk.table}.",
                ERROR,
                _foreign_key(index),
            )
        )
    if spec.value_ranges:
        checks.append(
            Check(
                f"{spec.predicate('have', 'has')}_values_in_range",
                "Numeric columns stay within their bounds: "
                + ", ".join(rule.column for rule in spec.value_ranges)
                + ".",
                ERROR,
                _values_in_range,
            )
        )
    if spec.accepted_values:
        checks.append(
            Check(
                f"{spec.predicate('have', 'has')}_known_values",
                "Enum-like columns hold known values (new ones from the API warn): "
                + ", ".join(rule.column for rule in spec.accepted_values)
                + ".",
                WARN,
                _known_values,
            )
        )
    if spec.dates_not_in_future:
        checks.append(
            Check(
                f"{spec.predicate('have', 'has')}_no_future_dates",
                "Dates are not in the future (warns only: Spotify lists pre-releases): "
                + ", ".join(spec.dates_not_in_future)
                + ".",
                WARN,
                _no_future_dates,
            )
        )
    if spec.min_row_ratio is not None:
        checks.append(
            Check(
                f"{table}_row_count_is_stable",
                f"The row count has not fallen below {spec.min_row_ratio:.0%} of the previous "
                "materialization's.",
                WARN,
                _row_count_stable,
            )
        )
    if spec.optional_fields:
        checks.append(
            Check(
                f"{table}_optional_fields_still_arrive",
                "No API field that arrived before is now absent from every row (what happens when "
                "an app falls under development-mode rules).",
                WARN,
                _optional_fields_arrive,
            )
        )
    if spec.accounted:
        checks.append(
            Check(
                f"{table}_accounting_balances",
                "Rows in the sources equal rows out plus rows quarantined: nothing is dropped "
                "silently.",
                ERROR,
                _accounting_balances,
            )
        )
    return checks


def check_specs(spec: TableSpec) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(check.name, asset=spec.key, description=check.description)
        for check in spec_checks(spec)
    ]


def evaluate_checks(
    conn: psycopg.Connection, spec: TableSpec, schema: str, measurements: Measurements
) -> list[AssetCheckResult]:
    check_input = CheckInput(conn, spec, schema, measurements)
    results = []
    for check in spec_checks(spec):
        passed, metadata = check.evaluate(check_input)
        results.append(
            AssetCheckResult(
                asset_key=spec.key,
                check_name=check.name,
                passed=passed,
                severity=check.severity,
                metadata=metadata,
                description=check.description,
            )
        )
    return results


# -- measurements -------------------------------------------------------------------------------


def field_shares(
    conn: psycopg.Connection, table: sql.Identifier, columns: Sequence[str]
) -> dict[str, float | None]:
    """Each column's share of non-null values (None for an empty table)."""
    if not columns:
        return {}
    row = conn.execute(
        sql.SQL("select {} from {}").format(
            sql.SQL(", ").join(
                sql.SQL("count({})::float8 / nullif(count(*), 0)").format(sql.Identifier(name))
                for name in columns
            ),
            table,
        )
    ).fetchone()
    return {
        name: (None if share is None else round(share, 6))
        for name, share in zip(columns, row, strict=True)
    }


def accounting(conn: psycopg.Connection, spec: TableSpec, row_count: int) -> Accounting:
    sources = conn.execute(
        sql.SQL(
            "select count(*), count(distinct key) + count(*) filter (where key is null) from {}"
        ).format(source_keys_view(spec))
    ).fetchone()
    quarantined = conn.execute(
        sql.SQL(
            "select count(*) filter (where not is_kept), count(*) filter (where is_kept) from {}"
        ).format(quarantine_view(spec))
    ).fetchone()
    return Accounting(
        source_objects=sources[0],
        source_rows=sources[1],
        rows_out=row_count,
        rows_quarantined=quarantined[0],
        rows_with_quarantined_fields=quarantined[1],
    )


def counts_by(
    conn: psycopg.Connection, table: sql.Identifier, columns: Sequence[str]
) -> dict[str, int]:
    """Rows per combination of ``columns`` values, keyed ``value/value``."""
    rows = conn.execute(
        sql.SQL("select {}, count(*) from {} group by 1 order by 1").format(
            render_key(columns), table
        )
    ).fetchall()
    return dict(rows)
