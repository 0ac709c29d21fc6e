"""The automation conditions that carry a bronze refresh through silver and gold to the report.

Evaluated with Dagster's own tester on a test instance; materializations are reported as events,
so nothing runs. The daemon doing the same for real is covered by spotify_assets_tests/e2e/.
"""

import pytest
from dagster import AssetKey, AssetMaterialization, DagsterInstance, evaluate_automation_conditions

from spotify_assets.assets.bronze import bronze_assets
from spotify_assets.assets.gold import gold_assets
from spotify_assets.assets.report import report_assets
from spotify_assets.assets.silver import silver_assets
from spotify_assets.definitions import defs

# The code location as deployed: its assets, resources and automation conditions.
ASSETS = defs
LAYERS = {
    layer: {key for asset in assets for key in asset.keys}
    for layer, assets in (
        ("bronze", bronze_assets),
        ("silver", silver_assets),
        ("gold", gold_assets),
        ("report", report_assets),
    )
}


def _materialize(instance: DagsterInstance, keys) -> None:
    for key in keys:
        instance.report_runless_asset_event(AssetMaterialization(asset_key=key))


ALL_KEYS = [key for layer in LAYERS.values() for key in layer]


def _requested(result) -> set[AssetKey]:
    return {key for key in ALL_KEYS if result.get_num_requested(key)}


def test_nothing_runs_until_bronze_exists_and_nothing_while_everything_is_current() -> None:
    instance = DagsterInstance.ephemeral()
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance)
    # Bronze has no automation (it calls Spotify); what depends on missing bronze waits.
    assert _requested(result) == set()
    _materialize(instance, ALL_KEYS)
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance, cursor=result.cursor)
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance, cursor=result.cursor)
    assert _requested(result) == set()


def _silver(*names: str) -> set[AssetKey]:
    return {AssetKey(["silver", name]) for name in names}


def test_a_bronze_refresh_requests_everything_downstream_once() -> None:
    instance = DagsterInstance.ephemeral()
    _materialize(instance, ALL_KEYS)
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance)

    _materialize(instance, LAYERS["bronze"])
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance, cursor=result.cursor)
    # One tick asks for silver, gold and the report together (in dependency order within the run).
    requested = _requested(result)
    assert requested == LAYERS["silver"] | LAYERS["gold"] | LAYERS["report"]

    _materialize(instance, requested)
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance, cursor=result.cursor)
    assert _requested(result) == set()


# What a refresh of some bronze tables asks of silver: the tables whose session views read them,
# and the tables whose checks read those (artist_genres, album_artists and track_artists check
# silver.artists, tracks checks silver.albums, playlist_items checks silver.tracks).
PARTIAL_REFRESHES = {
    # Albums and tracks are seen inside playlist entries too, and artists in their credits, so a
    # playlist refresh can change every silver table.
    "playlists": (["playlists", "playlist_items"], LAYERS["silver"]),
    "artists": (
        ["artists"],
        _silver("artists", "artist_genres", "album_artists", "track_artists", "quarantine"),
    ),
    "artist_albums": (["artist_albums"], LAYERS["silver"] - _silver("playlists")),
    "album_tracks": (["album_tracks"], LAYERS["silver"] - _silver("albums", "playlists")),
}


@pytest.mark.parametrize("refresh", PARTIAL_REFRESHES)
def test_a_partial_bronze_refresh_requests_only_the_silver_tables_that_read_it(refresh) -> None:
    bronze_tables, silver_requested = PARTIAL_REFRESHES[refresh]
    instance = DagsterInstance.ephemeral()
    _materialize(instance, ALL_KEYS)
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance)

    _materialize(instance, [AssetKey(["bronze", table]) for table in bronze_tables])
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance, cursor=result.cursor)
    requested = _requested(result)
    assert requested & LAYERS["silver"] == silver_requested
    # Every gold table reads a silver table each of these refreshes changes.
    assert requested - LAYERS["silver"] == LAYERS["gold"] | LAYERS["report"]

    _materialize(instance, requested)
    result = evaluate_automation_conditions(defs=ASSETS, instance=instance, cursor=result.cursor)
    assert _requested(result) == set()
