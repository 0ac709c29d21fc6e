"""The report as a DataHub dashboard of one chart per figure, each linked to the tables it reads."""

from datahub.emitter.mce_builder import make_chart_urn, make_dashboard_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    ChangeAuditStampsClass,
    ChartInfoClass,
    DashboardInfoClass,
    EdgeClass,
)

from spotify_assets.catalog.datahub_datasets import ownership
from spotify_assets.catalog.model import Dashboard
from spotify_assets.catalog.urns import dataset_urn

# The report is drawn by a Dagster asset, so Dagster is the platform its dashboard lives on.
REPORT_PLATFORM = "dagster"


def _edges(qualified_names: tuple[str, ...]) -> list[EdgeClass]:
    return [EdgeClass(destinationUrn=dataset_urn(*name.split(".", 1))) for name in qualified_names]


def dashboard_urn(dashboard: Dashboard) -> str:
    return make_dashboard_urn(REPORT_PLATFORM, "/".join(dashboard.asset_key))


def report_mcps(dashboard: Dashboard) -> list[MetadataChangeProposalWrapper]:
    asset_key = "/".join(dashboard.asset_key)
    mcps = []
    chart_urns = []
    for chart in dashboard.charts:
        urn = make_chart_urn(REPORT_PLATFORM, f"{asset_key}/{chart.name}")
        chart_urns.append(urn)
        info = ChartInfoClass(
            title=chart.title,
            description=chart.description,
            lastModified=ChangeAuditStampsClass(),
            inputEdges=_edges(chart.reads),
            customProperties={"asset_key": asset_key},
        )
        mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=info))
    urn = dashboard_urn(dashboard)
    info = DashboardInfoClass(
        title=dashboard.name,
        description=dashboard.description,
        lastModified=ChangeAuditStampsClass(),
        chartEdges=[EdgeClass(destinationUrn=chart) for chart in chart_urns],
        datasetEdges=_edges(dashboard.reads),
        customProperties={"asset_key": asset_key},
    )
    mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=info))
    mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=ownership(dashboard.owners)))
    return mcps
