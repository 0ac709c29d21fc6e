"""``catalog/datahub``: the catalog model, sent to DataHub (Lite by default) after each refresh.

It reads metadata only (specs, Dagster's event log, column types and row counts), never table
contents, and writes nothing to the warehouse: a DataHub that is down fails this asset alone.
"""

import time

from dagster import (
    AssetExecutionContext,
    AutomationCondition,
    Definitions,
    MaterializeResult,
    RepositoryDefinition,
    asset,
)
from dagster._check import CheckError

from spotify_assets.assets.gold import GOLD_SPECS
from spotify_assets.catalog.build import build_catalog
from spotify_assets.catalog.datahub_mcps import catalog_mcps
from spotify_assets.catalog.datahub_target import DataHubResource
from spotify_assets.constants import OWNER
from spotify_assets.warehouse.connection import PostgresResource

REPORT_KEY = ["report", "spotify_report"]


def code_location(context: AssetExecutionContext) -> Definitions | RepositoryDefinition:
    """The definitions the catalog is built from.

    Runs that Dagster launches from the code location (the UI, the daemon's sensors and
    automation) carry its RepositoryDefinition. A job executed in process (``spotify-assets
    run``, tests) carries none, but its asset graph still holds every asset of the code location;
    the jobs known are then the running one alone.
    """
    try:
        return context.repository_def
    except CheckError:
        graph = context.job_def.asset_layer.asset_graph
        graph = getattr(graph, "source_asset_graph", graph)
        assets = {node.assets_def for node in graph.asset_nodes if node.is_executable}
        return Definitions(assets=list(assets), jobs=[context.job_def])


@asset(
    key=["catalog", "datahub"],
    group_name="catalog",
    kinds={"datahub"},
    owners=[OWNER],
    deps=[*(spec.key for spec in GOLD_SPECS), REPORT_KEY],
    automation_condition=AutomationCondition.eager(),
)
def datahub_export(
    context: AssetExecutionContext, postgres: PostgresResource, datahub: DataHubResource
) -> MaterializeResult:
    """Every table's schema, lineage (to the column), owners, checks and counts, and the report,
    as DataHub metadata; each run sends all of it again, so a failed export loses nothing."""
    started = time.monotonic()
    datahub.check()  # a server that is down fails this step in seconds, before any work
    catalog = build_catalog(code_location(context), postgres, instance=context.instance)
    mcps = catalog_mcps(catalog)
    where = datahub.describe()
    context.log.info("Sending %d aspects to %s.", len(mcps), where)
    datahub.send(mcps)
    return MaterializeResult(
        metadata={
            "target": where,
            "tables": len(catalog.tables),
            "aspects": len(mcps),
            "seconds": round(time.monotonic() - started, 3),
        }
    )
