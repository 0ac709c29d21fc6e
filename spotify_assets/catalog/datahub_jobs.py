"""Dagster jobs as DataHub data flows, one data job per table each materializes.

The data job's inputs are the table's upstream tables and its output the table, so DataHub shows
what produces each table, as DataHub's own Dagster integration lays out a job's steps.
"""

from datahub.emitter.mce_builder import make_data_flow_urn, make_data_job_urn_with_flow
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    DataFlowInfoClass,
    DataJobInfoClass,
    DataJobInputOutputClass,
)

from spotify_assets.catalog.model import Catalog
from spotify_assets.catalog.urns import ENV, dataset_urn

ORCHESTRATOR = "dagster"
CODE_LOCATION = "spotify_assets"


def job_mcps(catalog: Catalog) -> list[MetadataChangeProposalWrapper]:
    mcps = []
    for job in catalog.jobs:
        flow = make_data_flow_urn(ORCHESTRATOR, f"{CODE_LOCATION}/{job.name}", ENV)
        info = DataFlowInfoClass(
            name=job.name, description=job.description, customProperties={"location": CODE_LOCATION}
        )
        mcps.append(MetadataChangeProposalWrapper(entityUrn=flow, aspect=info))
        for name in job.tables:
            table = catalog.table(name)
            step = make_data_job_urn_with_flow(flow, "__".join(table.asset_key))
            mcps.append(
                MetadataChangeProposalWrapper(
                    entityUrn=step,
                    aspect=DataJobInfoClass(
                        name="/".join(table.asset_key),
                        type="COMMAND",
                        description=f"Materializes {table.qualified_name} in {job.name}.",
                        flowUrn=flow,
                    ),
                )
            )
            mcps.append(
                MetadataChangeProposalWrapper(
                    entityUrn=step,
                    aspect=DataJobInputOutputClass(
                        inputDatasets=[dataset_urn(*up.split(".", 1)) for up in table.upstream],
                        outputDatasets=[table.urn],
                    ),
                )
            )
    return mcps
