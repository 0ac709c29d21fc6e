"""Column lineage of the SQL-built tables, parsed from their SQL files by DataHub's SQL parser.

Each file is split into statements with sqlglot and every ``create [temporary] view`` or
``create table ... as`` goes through ``datahub.sql_parsing.sqlglot_lineage`` with a schema
resolver that knows the warehouse's columns (and, as they are parsed, the session views' columns).
Silver builds read bronze through session views (``sql/silver/define_*.sql``); the lineage is
followed through those views down to real tables, so a value taken out of bronze ``jsonb`` points
at the bronze table's ``response`` column and a gold column at the silver columns it is made of.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlglot
from datahub.sql_parsing.schema_resolver import SchemaResolver
from datahub.sql_parsing.sqlglot_lineage import sqlglot_lineage
from sqlglot import exp

from spotify_assets.catalog.model import ColumnRef
from spotify_assets.catalog.urns import ENV, PLATFORM, dataset_urn
from spotify_assets.catalog.warehouse_columns import WarehouseColumns
from spotify_assets.settings import WAREHOUSE_DATABASE
from spotify_assets.warehouse.connection import LAYERS
from spotify_assets.warehouse.sql_files import load_sql

DIALECT = "postgres"
# Unqualified names (the session views) resolve here; no warehouse table lives in it.
SESSION_SCHEMA = "pg_temp"


@dataclass(frozen=True)
class SqlTable:
    """A table built by ``sql_file`` after running ``setup_sql_files`` (names without ``.sql``)."""

    layer: str
    name: str
    sql_file: str
    setup_sql_files: tuple[str, ...] = ()


class SqlLineageError(RuntimeError):
    """DataHub's parser could not read a statement of a SQL file."""


def _statements(sql_file: str, target: str | None) -> list[exp.Expression]:
    identifiers = {layer: layer for layer in LAYERS} | ({"target": target} if target else {})
    text = load_sql(sql_file, identifiers).as_string(None)
    return [
        statement
        for statement in sqlglot.parse(text, dialect=DIALECT)
        # Functions (plpgsql helpers) carry no lineage; views and tables do.
        if isinstance(statement, exp.Create) and statement.kind in ("VIEW", "TABLE")
    ]


class _Parser:
    """Parses statements in order, remembering the views' lineage to see through them later."""

    def __init__(self, warehouse: WarehouseColumns) -> None:
        self._resolver = SchemaResolver(platform=PLATFORM, env=ENV)
        self._tables: dict[str, tuple[str, str]] = {}
        for (layer, table), columns in warehouse.items():
            urn = dataset_urn(layer, table)
            self._tables[urn] = (layer, table)
            self._resolver.add_raw_schema_info(urn, {name: pg_type for name, pg_type, _ in columns})
        self._views: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
        self._parsed_files: set[str] = set()
        self._resolved: dict[tuple[str, str], frozenset[ColumnRef]] = {}

    def parse(
        self, sql_file: str, target: str | None
    ) -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
        """Direct lineage of each statement's output: urn -> column -> ((urn, column), ...)."""
        outputs = {}
        for statement in _statements(sql_file, target):
            result = sqlglot_lineage(
                statement.sql(dialect=DIALECT),
                self._resolver,
                default_db=WAREHOUSE_DATABASE,
                default_schema=SESSION_SCHEMA,
                override_dialect=DIALECT,
            )
            error = result.debug_info.table_error or result.debug_info.column_error
            if error is not None or len(result.out_tables) != 1:
                raise SqlLineageError(
                    f"sql/{sql_file}.sql: DataHub's SQL parser could not read a statement "
                    f"({error or 'no single output table'}): {statement.sql(dialect=DIALECT)[:120]}"
                )
            lineage = {
                info.downstream.column: tuple(
                    (ref.table, ref.column) for ref in info.upstreams if ref.column
                )
                for info in result.column_lineage or ()
            }
            (urn,) = result.out_tables
            outputs[urn] = lineage
            types = {
                info.downstream.column: info.downstream.native_column_type or "text"
                for info in result.column_lineage or ()
            }
            self._resolver.add_raw_schema_info(urn, types)
        return outputs

    def setup(self, sql_file: str) -> None:
        """Parse a session-view file once; its views serve every build that runs it."""
        if sql_file not in self._parsed_files:
            self._views.update(self.parse(sql_file, target=None))
            self._parsed_files.add(sql_file)

    def resolve(self, urn: str, column: str) -> frozenset[ColumnRef]:
        """The warehouse columns behind ``urn``'s ``column``, through any number of views."""
        if (urn, column) not in self._resolved:
            if urn in self._tables:
                layer, table = self._tables[urn]
                found = frozenset({ColumnRef(layer, table, column)})
            else:
                upstream = self._views.get(urn, {}).get(column, ())
                found = frozenset(ref for up in upstream for ref in self.resolve(*up))
            self._resolved[(urn, column)] = found
        return self._resolved[(urn, column)]


def column_lineage(
    tables: Sequence[SqlTable], warehouse: WarehouseColumns
) -> Mapping[tuple[str, str], Mapping[str, tuple[ColumnRef, ...]]]:
    """For each table, each column's upstream warehouse columns (sorted), through session views."""
    parser = _Parser(warehouse)
    lineage: dict[tuple[str, str], dict[str, tuple[ColumnRef, ...]]] = {}
    for table in tables:
        for name in table.setup_sql_files:
            parser.setup(name)
        outputs = parser.parse(table.sql_file, target=table.name)
        direct = outputs.get(dataset_urn(table.layer, table.name))
        if direct is None:
            raise SqlLineageError(
                f"sql/{table.sql_file}.sql creates no table {table.layer}.{table.name} "
                f"(it creates {sorted(outputs)})."
            )
        lineage[(table.layer, table.name)] = {
            column: tuple(
                sorted(
                    {ref for urn, col in upstream for ref in parser.resolve(urn, col)},
                    key=lambda ref: (LAYERS.index(ref.layer), ref.table, ref.column),
                )
            )
            for column, upstream in direct.items()
        }
    return lineage
