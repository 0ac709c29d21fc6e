"""The whole catalog as DataHub metadata change proposals, in a stable order."""

from datahub.emitter.mcp import MetadataChangeProposalWrapper

from spotify_assets.catalog.datahub_assertions import assertion_mcps
from spotify_assets.catalog.datahub_datasets import dataset_mcps
from spotify_assets.catalog.datahub_jobs import job_mcps
from spotify_assets.catalog.datahub_report import report_mcps
from spotify_assets.catalog.model import Catalog


def catalog_mcps(catalog: Catalog) -> list[MetadataChangeProposalWrapper]:
    """Tables first (so lineage and assertions point at datasets already sent), then the rest."""
    mcps = [mcp for table in catalog.tables for mcp in dataset_mcps(table)]
    mcps += [mcp for table in catalog.tables for mcp in assertion_mcps(table)]
    mcps += report_mcps(catalog.dashboard)
    mcps += job_mcps(catalog)
    return mcps
