"""How the silver and gold assets fit the graph: keys, groups, dependencies, checks, definitions.

No database: the SQL itself is tested under silver/ and gold/.
"""

from dagster import AssetKey, AutomationCondition, Definitions

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.gold import GOLD_SPECS, gold_assets
from spotify_assets.assets.silver import SILVER_SPECS, silver_assets
from spotify_assets.definitions import defs


def _deps(asset) -> set[AssetKey]:
    return {dep.asset_key for dep in asset.specs_by_key[asset.key].deps}


def test_each_spec_has_its_asset_in_its_layer_group():
    for specs, assets, layer in (
        (SILVER_SPECS, silver_assets, "silver"),
        (GOLD_SPECS, gold_assets, "gold"),
    ):
        assert [asset.key for asset in assets] == [spec.key for spec in specs]
        for asset in assets:
            spec = asset.specs_by_key[asset.key]
            assert spec.group_name == layer
            assert spec.key.path[0] == layer
            assert spec.automation_condition == AutomationCondition.eager()
            assert spec.description and spec.description.startswith("One row per")


def test_silver_reads_bronze_and_silver_only_every_bronze_feeds_silver_and_gold_reads_silver():
    """Each silver table declares the bronze tables its views read (see silver/session_views.py)."""
    bronze_keys = {asset.key for asset in bronze_assets}
    silver_keys = {asset.key for asset in silver_assets}
    for asset in silver_assets:
        assert _deps(asset) & bronze_keys, asset.key
        assert _deps(asset) <= bronze_keys | silver_keys, asset.key
    assert set().union(*(_deps(asset) for asset in silver_assets)) >= bronze_keys
    for asset in gold_assets:
        assert _deps(asset) and _deps(asset) <= silver_keys, asset.key


def test_foreign_keys_point_at_tables_built_before():
    specs = {spec.name: spec for spec in SILVER_SPECS}
    for asset in silver_assets:
        spec = specs[asset.key.path[-1]]
        for fk in spec.foreign_keys:
            referenced = specs[fk.table]
            assert referenced.key in _deps(asset), (spec.name, fk.table)
            assert {col.name for col in referenced.columns} >= set(fk.referenced_columns)


def test_check_names_are_unique_and_every_table_has_key_and_history_checks():
    names = [check.name for asset in [*silver_assets, *gold_assets] for check in asset.check_specs]
    assert len(names) == len(set(names))
    for asset in [*silver_assets, *gold_assets]:
        table = asset.key.path[-1]
        own = {check.name for check in asset.check_specs}
        assert any(name.startswith(f"{table}_ha") and "unique" in name for name in own)
        if table != "quarantine":
            assert f"{table}_row_count_is_stable" in own
        if asset in silver_assets and table != "quarantine":
            assert f"{table}_accounting_balances" in own


def test_all_layers_load_together_with_the_definitions_resources():
    combined = Definitions(
        assets=[*bronze_assets, *silver_assets, *gold_assets], resources=defs.resources
    )
    Definitions.validate_loadable(combined)
    graph = combined.resolve_asset_graph()
    assert {key for key in graph.get_all_asset_keys() if key.path[0] in ("silver", "gold")} == {
        spec.key for spec in (*SILVER_SPECS, *GOLD_SPECS)
    }
