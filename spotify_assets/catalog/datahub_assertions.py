"""Asset checks as DataHub assertions, with a run event for each check's latest result."""

from datahub.emitter.mce_builder import datahub_guid, make_assertion_urn
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AssertionInfoClass,
    AssertionResultClass,
    AssertionResultTypeClass,
    AssertionRunEventClass,
    AssertionRunStatusClass,
    AssertionSourceClass,
    AssertionSourceTypeClass,
    AssertionTypeClass,
    CustomAssertionInfoClass,
)

from spotify_assets.catalog.datahub_datasets import millis
from spotify_assets.catalog.model import CatalogCheck, CatalogTable


def assertion_urn(table: CatalogTable, check: CatalogCheck) -> str:
    """Stable across runs: the same check is the same assertion, its results a time series."""
    return make_assertion_urn(datahub_guid({"dataset": table.urn, "check": check.name}))


def assertion_mcps(table: CatalogTable) -> list[MetadataChangeProposalWrapper]:
    mcps = []
    for check in table.checks:
        urn = assertion_urn(table, check)
        info = AssertionInfoClass(
            type=AssertionTypeClass.CUSTOM,
            customAssertion=CustomAssertionInfoClass(
                type="Dagster asset check", entity=table.urn, logic=check.description
            ),
            description=check.description,
            source=AssertionSourceClass(type=AssertionSourceTypeClass.EXTERNAL),
            customProperties={"check": check.name, "blocking": str(check.blocking).lower()},
        )
        mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=info))
        result = check.latest
        if result is not None:
            event = AssertionRunEventClass(
                timestampMillis=millis(result.evaluated_at),
                runId=result.run_id,
                asserteeUrn=table.urn,
                assertionUrn=urn,
                status=AssertionRunStatusClass.COMPLETE,
                result=AssertionResultClass(
                    type=AssertionResultTypeClass.SUCCESS
                    if result.passed
                    else AssertionResultTypeClass.FAILURE,
                    nativeResults={"severity": result.severity, "message": result.description},
                ),
            )
            mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=event))
    return mcps
