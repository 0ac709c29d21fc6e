"""``build_catalog``: the one function from the Definitions plus the warehouse to the catalog.

It reads only what the code location declares (asset specs, their metadata, checks and jobs) and
what the warehouse says of its own tables (column types); with an instance it adds what the
latest runs recorded. The layers' modules are never imported: everything arrives through the
Definitions, as asset metadata (``dagster/column_schema``, ``primary_key`` or bronze's
``unique_key``, ``sql_file``, ``setup_sql_files``, ``spotify_endpoint``, the report's ``figures``).
"""

from collections.abc import Mapping

from dagster import AssetKey, DagsterInstance, Definitions, RepositoryDefinition
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph, AssetNode

from spotify_assets.catalog.column_lineage import SqlTable, column_lineage
from spotify_assets.catalog.model import (
    Catalog,
    CatalogCheck,
    CatalogColumn,
    CatalogJob,
    CatalogTable,
    Chart,
    ColumnRef,
    Dashboard,
)
from spotify_assets.catalog.observed import latest_check_results, latest_materialization
from spotify_assets.catalog.warehouse_columns import TablesNotBuiltError, warehouse_columns
from spotify_assets.sql_assets.table_asset import column_differences
from spotify_assets.warehouse.connection import LAYERS, PostgresResource

KIND_TAG = "dagster/kind/"


def _qualified(key: AssetKey) -> str:
    return ".".join(key.path)


def _value(node: AssetNode, name: str, default: object = None) -> object:
    value = node.metadata.get(name, default)
    return getattr(value, "value", value)


def grain(description: str) -> str:
    """The grain in one line: the description's first sentence, up to its first colon."""
    first = " ".join(description.split()).split(". ")[0].rstrip(".")
    return first.split(": ")[0]


def _repository(defs: Definitions | RepositoryDefinition) -> RepositoryDefinition:
    return defs.get_repository_def() if isinstance(defs, Definitions) else defs


def _sql_file_name(path: str) -> str:
    """``sql/silver/build_tracks.sql`` -> ``silver/build_tracks`` (how sql_files names files)."""
    return path.removeprefix("sql/").removesuffix(".sql")


def _table_nodes(graph: AssetGraph) -> list[AssetNode]:
    nodes = [
        graph.get(key)
        for key in graph.get_all_asset_keys()
        if len(key.path) == 2 and key.path[0] in LAYERS and graph.get(key).is_materializable
    ]
    return sorted(nodes, key=lambda node: (LAYERS.index(node.key.path[0]), node.key.path[1]))


def _columns(
    node: AssetNode,
    actual: tuple[tuple[str, str, bool], ...],
    lineage: Mapping[str, tuple[ColumnRef, ...]],
) -> tuple[CatalogColumn, ...]:
    schema = _value(node, "dagster/column_schema")
    declared = {column.name: column for column in (schema.columns if schema else [])}
    key = set(_value(node, "primary_key") or _value(node, "unique_key") or ())
    return tuple(
        CatalogColumn(
            name=name,
            type=pg_type,
            description=(declared[name].description or "") if name in declared else "",
            # The spec's non-null columns are enforced by blocking checks, not by DDL.
            nullable=nullable and (name not in declared or declared[name].constraints.nullable),
            primary_key=name in key,
            upstream=lineage.get(name, ()),
        )
        for name, pg_type, nullable in actual
    )


def _dashboard(graph: AssetGraph, instance: DagsterInstance | None) -> Dashboard:
    (node,) = [
        graph.get(key) for key in graph.get_all_asset_keys() if "figures" in graph.get(key).metadata
    ]
    charts = tuple(
        Chart(
            name=figure["name"],
            title=figure["title"],
            description=figure["caption"],
            reads=tuple(figure["reads"]),
        )
        for figure in _value(node, "figures")
    )
    return Dashboard(
        asset_key=tuple(node.key.path),
        name=node.key.path[-1],
        description=node.description or "",
        charts=charts,
        reads=tuple(sorted(_qualified(key) for key in node.parent_keys)),
        owners=tuple(node.owners),
        observed=latest_materialization(instance, node.key) if instance else None,
    )


def build_catalog(
    defs: Definitions | RepositoryDefinition,
    postgres: PostgresResource,
    instance: DagsterInstance | None = None,
    *,
    only_built: bool = False,
) -> Catalog:
    """The catalog of every bronze, silver and gold table, the report and the jobs.

    ``defs`` is the code location's Definitions (or the RepositoryDefinition an asset sees as
    ``context.repository_def``); ``postgres`` the warehouse whose column types are read; with
    ``instance``, the latest row counts, materializations and check results are added.

    A table missing from the warehouse raises ``TablesNotBuiltError``; with ``only_built`` it is
    left out instead (after a failed first run: the tables that were built, with their lineage,
    since a table is only built once the tables it reads exist).
    """
    repository = _repository(defs)
    graph = repository.asset_graph
    nodes = _table_nodes(graph)
    actual = warehouse_columns(
        postgres, [tuple(node.key.path) for node in nodes], missing_ok=only_built
    )
    nodes = [node for node in nodes if tuple(node.key.path) in actual]
    names = {tuple(node.key.path) for node in nodes}
    sql_tables = [
        SqlTable(
            layer=node.key.path[0],
            name=node.key.path[1],
            sql_file=_sql_file_name(_value(node, "sql_file")),
            setup_sql_files=tuple(_sql_file_name(f) for f in _value(node, "setup_sql_files", [])),
        )
        for node in nodes
        if "sql_file" in node.metadata
    ]
    lineage = column_lineage(sql_tables, actual)
    jobs = [job for job in repository.get_all_jobs() if not job.name.startswith("__")]
    jobs_of = {
        key: tuple(sorted(job.name for job in jobs if key in job.asset_layer.selected_asset_keys))
        for key in (node.key for node in nodes)
    }
    check_keys = sorted(graph.asset_check_keys, key=lambda key: key.to_user_string())
    results = latest_check_results(instance, check_keys) if instance else {}

    tables = []
    for node in nodes:
        layer, name = node.key.path
        description = " ".join((node.description or "").split())
        tables.append(
            CatalogTable(
                layer=layer,
                name=name,
                asset_key=tuple(node.key.path),
                description=description,
                grain=grain(description),
                owners=tuple(node.owners),
                # Kinds are Dagster tags too (dagster/kind/...): listed once, as kinds.
                tags=tuple(sorted(i for i in node.tags.items() if not i[0].startswith(KIND_TAG))),
                kinds=tuple(sorted(node.kinds)),
                columns=_columns(node, actual[(layer, name)], lineage.get((layer, name), {})),
                upstream=tuple(
                    sorted(_qualified(k) for k in node.parent_keys if tuple(k.path) in names)
                ),
                downstream=tuple(
                    sorted(_qualified(k) for k in node.child_keys if tuple(k.path) in names)
                ),
                checks=tuple(
                    CatalogCheck(
                        name=key.name,
                        description=graph.get_check_spec(key).description or "",
                        blocking=graph.get_check_spec(key).blocking,
                        latest=results.get(key),
                    )
                    for key in check_keys
                    if key.asset_key == node.key
                ),
                jobs=jobs_of[node.key],
                endpoint=_value(node, "spotify_endpoint"),
                sql_file=_value(node, "sql_file"),
                observed=latest_materialization(instance, node.key) if instance else None,
            )
        )
    return Catalog(
        tables=tuple(tables),
        dashboard=_dashboard(graph, instance),
        jobs=tuple(
            CatalogJob(
                name=job.name,
                description=job.description or "",
                tables=tuple(
                    sorted(
                        _qualified(k)
                        for k in job.asset_layer.selected_asset_keys
                        if tuple(k.path) in names
                    )
                ),
            )
            for job in sorted(jobs, key=lambda job: job.name)
        ),
    )


def verify_declared_columns(defs: Definitions | RepositoryDefinition, catalog: Catalog) -> None:
    """Fail when a table's columns in the warehouse are not those its asset declares.

    A SQL-built table never swaps in with other columns than its spec's, so a difference means the
    code changed since the table was built: the catalog would describe the old table.
    """
    graph = _repository(defs).asset_graph
    stale = []
    for table in catalog.tables:
        schema = _value(graph.get(AssetKey(list(table.asset_key))), "dagster/column_schema")
        declared = [(column.name, column.type) for column in (schema.columns if schema else [])]
        differences = column_differences(declared, [(c.name, c.type) for c in table.columns])
        if differences:
            stale.append(f"{table.qualified_name} ({'; '.join(differences)})")
    if stale:
        raise TablesNotBuiltError(
            "The warehouse's tables were built by other code than this checkout's: "
            + ", ".join(stale)
            + ". Rebuild them with `spotify-assets run`."
        )
