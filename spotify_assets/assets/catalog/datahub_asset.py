"""``catalog/datahub``: the catalog model, sent to DataHub (Lite by default) after each refresh.

It reads metadata only (specs, Dagster's event log, column types and row counts), never table
contents, and writes nothing to the warehouse: a DataHub that is down fails this asset alone.
"""

import time

from dagster import AssetExecutionContext, AutomationCondition, MaterializeResult, asset

from spotify_assets.assets.gold import GOLD_SPECS
from spotify_assets.catalog.build import build_catalog
from spotify_assets.catalog.datahub_mcps import catalog_mcps
from spotify_assets.catalog.datahub_target import DataHubResource
from spotify_assets.constants import OWNER
from spotify_assets.warehouse.connection import PostgresResource

REPORT_KEY = ["report", "spotify_report"]


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
    catalog = build_catalog(context.repository_def, postgres, instance=context.instance)
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
