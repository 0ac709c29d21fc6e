"""What every gold asset shares: it reads silver tables only and runs one SQL file."""

from collections.abc import Sequence

from dagster import AssetsDefinition, TableColumn

from spotify_assets.sql_assets import TableSpec, column, sql_table_asset


def gold_asset(spec: TableSpec, deps: Sequence[TableSpec]) -> AssetsDefinition:
    """The asset running ``sql/gold/build_<name>.sql`` over the silver tables in ``deps``."""
    non_silver = [dep.key.to_user_string() for dep in deps if dep.layer != "silver"]
    if non_silver:
        raise ValueError(f"gold.{spec.name} may read silver tables only, not {non_silver}.")
    return sql_table_asset(spec=spec, sql_file=f"gold/build_{spec.name}", deps=deps)


def artist_id(
    description: str = "Spotify artist id of a watched artist (silver.artists).",
) -> TableColumn:
    return column("artist_id", "text", description, nullable=False)


def artist_name() -> TableColumn:
    return column("artist_name", "text", "The artist's name.")


def count_column(name: str, description: str) -> TableColumn:
    return column(name, "bigint", description, nullable=False)
