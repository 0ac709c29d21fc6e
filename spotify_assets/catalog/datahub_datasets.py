"""A table's DataHub aspects: properties, schema, ownership, tags, sub-types, lineage, profile."""

from datetime import datetime

from datahub.emitter.mce_builder import (
    make_data_platform_urn,
    make_group_urn,
    make_schema_field_urn,
    make_tag_urn,
    make_user_urn,
)
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.ingestion.source.common.subtypes import DatasetSubTypes
from datahub.metadata.schema_classes import (
    ArrayTypeClass,
    BooleanTypeClass,
    BytesTypeClass,
    DatasetLineageTypeClass,
    DatasetProfileClass,
    DatasetPropertiesClass,
    DateTypeClass,
    FineGrainedLineageClass,
    FineGrainedLineageDownstreamTypeClass,
    FineGrainedLineageUpstreamTypeClass,
    GlobalTagsClass,
    NumberTypeClass,
    OtherSchemaClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    RecordTypeClass,
    SchemaFieldClass,
    SchemaFieldDataTypeClass,
    SchemaMetadataClass,
    StringTypeClass,
    SubTypesClass,
    TagAssociationClass,
    TimeTypeClass,
    UpstreamClass,
    UpstreamLineageClass,
)

from spotify_assets.catalog.model import CatalogColumn, CatalogTable, ColumnRef
from spotify_assets.catalog.urns import PLATFORM, dataset_urn

# PostgreSQL's format_type() names, by prefix, to DataHub's logical types (anything else: string).
_TYPES = (
    ("bigint", NumberTypeClass),
    ("integer", NumberTypeClass),
    ("smallint", NumberTypeClass),
    ("numeric", NumberTypeClass),
    ("double precision", NumberTypeClass),
    ("real", NumberTypeClass),
    ("boolean", BooleanTypeClass),
    ("date", DateTypeClass),
    ("timestamp", TimeTypeClass),
    ("time", TimeTypeClass),
    ("jsonb", RecordTypeClass),
    ("json", RecordTypeClass),
    ("bytea", BytesTypeClass),
)


def owner_urn(owner: str) -> str:
    """Dagster's ``team:name`` owners are DataHub groups; e-mail addresses are users."""
    return (
        make_group_urn(owner.removeprefix("team:"))
        if owner.startswith("team:")
        else (make_user_urn(owner))
    )


def ownership(owners: tuple[str, ...]) -> OwnershipClass:
    return OwnershipClass(
        owners=[
            OwnerClass(owner=owner_urn(owner), type=OwnershipTypeClass.TECHNICAL_OWNER)
            for owner in owners
        ]
    )


def field_type(pg_type: str) -> SchemaFieldDataTypeClass:
    if pg_type.endswith("[]"):
        return SchemaFieldDataTypeClass(type=ArrayTypeClass(nestedType=[pg_type[:-2]]))
    for prefix, kind in _TYPES:
        if pg_type.startswith(prefix):
            return SchemaFieldDataTypeClass(type=kind())
    return SchemaFieldDataTypeClass(type=StringTypeClass())


def _field(column: CatalogColumn) -> SchemaFieldClass:
    return SchemaFieldClass(
        fieldPath=column.name,
        type=field_type(column.type),
        nativeDataType=column.type,
        description=column.description or None,
        nullable=column.nullable,
        isPartOfKey=column.primary_key,
    )


def column_urn(ref: ColumnRef) -> str:
    return make_schema_field_urn(dataset_urn(ref.layer, ref.table), ref.column)


def _properties(table: CatalogTable) -> DatasetPropertiesClass:
    custom = {
        "layer": table.layer,
        "grain": table.grain,
        "asset_key": "/".join(table.asset_key),
        "kinds": ", ".join(table.kinds),
    }
    if table.endpoint:
        custom["endpoint"] = table.endpoint
    if table.sql_file:
        custom["sql_file"] = table.sql_file
    return DatasetPropertiesClass(
        name=table.name,
        qualifiedName=table.qualified_name,
        description=table.description,
        customProperties=custom,
    )


def _schema(table: CatalogTable) -> SchemaMetadataClass:
    return SchemaMetadataClass(
        schemaName=table.qualified_name,
        platform=make_data_platform_urn(PLATFORM),
        version=0,
        hash="",
        platformSchema=OtherSchemaClass(rawSchema=""),
        fields=[_field(column) for column in table.columns],
        primaryKeys=[column.name for column in table.columns if column.primary_key] or None,
    )


def _lineage(table: CatalogTable) -> UpstreamLineageClass:
    fine_grained = [
        FineGrainedLineageClass(
            upstreamType=FineGrainedLineageUpstreamTypeClass.FIELD_SET,
            upstreams=[column_urn(ref) for ref in column.upstream],
            downstreamType=FineGrainedLineageDownstreamTypeClass.FIELD,
            downstreams=[make_schema_field_urn(table.urn, column.name)],
        )
        for column in table.columns
        if column.upstream
    ]
    return UpstreamLineageClass(
        upstreams=[
            UpstreamClass(
                dataset=dataset_urn(*name.split(".", 1)), type=DatasetLineageTypeClass.TRANSFORMED
            )
            for name in table.upstream
        ],
        fineGrainedLineages=fine_grained or None,
    )


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def dataset_mcps(table: CatalogTable) -> list[MetadataChangeProposalWrapper]:
    """Every aspect of one table; lineage only where it reads tables, a profile once counted."""
    aspects = [
        _properties(table),
        _schema(table),
        ownership(table.owners),
        GlobalTagsClass(
            tags=[
                TagAssociationClass(tag=make_tag_urn(f"{key}:{value}")) for key, value in table.tags
            ]
        ),
        SubTypesClass(typeNames=[DatasetSubTypes.TABLE]),
    ]
    if table.upstream:
        aspects.append(_lineage(table))
    observed = table.observed
    if observed is not None and observed.row_count is not None and observed.materialized_at:
        aspects.append(
            DatasetProfileClass(
                timestampMillis=millis(observed.materialized_at),
                rowCount=observed.row_count,
                columnCount=len(table.columns),
            )
        )
    return [MetadataChangeProposalWrapper(entityUrn=table.urn, aspect=aspect) for aspect in aspects]
