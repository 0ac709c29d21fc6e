"""The catalog model: what is known of every table, its columns, lineage, checks and the report.

Plain frozen dataclasses, built by one function from the Definitions plus the warehouse; the
DataHub export and the Markdown catalog both render these and nothing else. The part that changes
with every run (row counts, materialization times, check results) is kept in ``observed`` fields,
so outputs that must stay stable (the committed Markdown) can leave it out.
"""

from dataclasses import dataclass, field
from datetime import datetime

from spotify_assets.catalog.urns import dataset_urn


@dataclass(frozen=True)
class ColumnRef:
    """A column of another table: ``layer.table.column``."""

    layer: str
    table: str
    column: str


@dataclass(frozen=True)
class CatalogColumn:
    """A column as the warehouse types it, described as its spec describes it."""

    name: str
    type: str  # as PostgreSQL's format_type() prints it, read from the warehouse
    description: str
    nullable: bool
    primary_key: bool
    # Column lineage: the upstream columns this one is derived from (bronze: none; a value out of
    # bronze jsonb points at the bronze table's `response` column).
    upstream: tuple[ColumnRef, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """The latest evaluation of an asset check."""

    passed: bool
    severity: str  # "ERROR" or "WARN", as Dagster reports it
    evaluated_at: datetime
    run_id: str
    description: str = ""  # the evaluation's own message, if any


@dataclass(frozen=True)
class CatalogCheck:
    """An asset check on a table: what it enforces, and (observed) how it last went."""

    name: str
    description: str
    blocking: bool
    latest: CheckResult | None = None


@dataclass(frozen=True)
class Observed:
    """What the latest materialization left: counts and times, never table contents."""

    row_count: int | None
    materialized_at: datetime | None
    run_id: str | None


@dataclass(frozen=True)
class CatalogTable:
    """A bronze, silver or gold table."""

    layer: str
    name: str
    asset_key: tuple[str, ...]
    description: str
    grain: str  # one line: "One row per ..."
    owners: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]
    kinds: tuple[str, ...]
    columns: tuple[CatalogColumn, ...]
    upstream: tuple[str, ...]  # qualified names (layer.table) of the tables it reads
    downstream: tuple[str, ...]  # qualified names of the tables that read it
    checks: tuple[CatalogCheck, ...]
    jobs: tuple[str, ...]  # Dagster jobs that materialize it
    endpoint: str | None = None  # bronze: the Spotify endpoint, e.g. "GET /v1/artists/{id}/albums"
    sql_file: str | None = None  # silver and gold: the file under sql/ that builds it
    observed: Observed | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def urn(self) -> str:
        return dataset_urn(self.layer, self.name)


@dataclass(frozen=True)
class Chart:
    """One figure of the report, and the tables it draws from."""

    name: str
    title: str
    description: str
    reads: tuple[str, ...]  # qualified table names


@dataclass(frozen=True)
class Dashboard:
    """The report: one chart per figure."""

    asset_key: tuple[str, ...]
    name: str
    description: str
    charts: tuple[Chart, ...]
    reads: tuple[str, ...]  # qualified table names
    owners: tuple[str, ...]
    observed: Observed | None = None


@dataclass(frozen=True)
class CatalogJob:
    """A Dagster job, and the tables it materializes."""

    name: str
    description: str
    tables: tuple[str, ...]  # qualified names


@dataclass(frozen=True)
class Catalog:
    """The whole warehouse, as one value."""

    tables: tuple[CatalogTable, ...]
    dashboard: Dashboard
    jobs: tuple[CatalogJob, ...] = field(default=())

    def table(self, qualified_name: str) -> CatalogTable:
        for table in self.tables:
            if table.qualified_name == qualified_name:
                return table
        raise KeyError(f"No table {qualified_name} in the catalog.")
