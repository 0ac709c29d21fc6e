"""The code location loads as `dagster dev` would load it, with every piece the platform promises."""

from dagster import Definitions, build_schedule_context, validate_run_config

from spotify_assets.constants import GROUP_TABLES
from spotify_assets.definitions import defs
from spotify_assets.schedules import all_assets_job_schedule


def test_definitions_load_and_jobs_resolve() -> None:
    Definitions.validate_loadable(defs)
    repository = defs.get_repository_def()
    jobs = {job.name for job in repository.get_all_jobs()}
    assert {"all_assets_job", "refresh_artists_job", "refresh_playlists_job"} <= jobs
    assert defs.resolve_job_def("all_assets_job").asset_layer.executable_asset_keys == {
        node.key for node in repository.asset_graph.asset_nodes if node.is_executable
    }
    assert {schedule.name for schedule in repository.schedule_defs} == {"all_assets_job_schedule"}
    assert {sensor.name for sensor in repository.sensor_defs} == {
        "watchlist_sensor",
        "new_release_sensor",
        "automation_sensor",
        "run_failure_sensor",
        "catalog_after_failure_sensor",
    }
    assert {"catalog_job"} <= jobs
    assert {
        "postgres",
        "io_manager",
        "spotify",
        "spotify_credentials",
        "watchlist",
        "datahub",
    } <= set(defs.resources)


def test_every_layer_is_a_group_of_keys_under_its_schema() -> None:
    graph = defs.get_repository_def().asset_graph
    groups = {node.key.path[0]: set() for node in graph.asset_nodes}
    for node in graph.asset_nodes:
        groups[node.key.path[0]].add(node.group_name)
    assert groups == {
        "bronze": {"bronze"},
        "silver": {"silver"},
        "gold": {"gold"},
        "report": {"report"},
        "catalog": {"catalog"},
    }
    # Every silver and gold column is described (they feed COMMENT ON and the catalogs).
    for node in graph.asset_nodes:
        if node.key.path[0] in ("silver", "gold"):
            schema = node.metadata["dagster/column_schema"]
            assert all(column.description for column in schema.columns), node.key


def test_group_tables_name_every_asset_and_run_in_dependency_order() -> None:
    """The Airflow DAG's tasks and outlets (GROUP_TABLES) are the Definitions' groups, in an order
    in which no group needs a later one."""
    graph = defs.get_repository_def().asset_graph
    in_groups = {
        group: {node.key.to_user_string() for node in graph.asset_nodes if node.group_name == group}
        for group in {node.group_name for node in graph.asset_nodes}
    }
    assert in_groups == {
        group: {f"{group}/{table}" for table in tables} for group, tables in GROUP_TABLES.items()
    }
    order = list(GROUP_TABLES)
    for node in graph.asset_nodes:
        for parent in node.parent_keys:
            assert order.index(graph.get(parent).group_name) <= order.index(node.group_name), (
                f"{node.key.to_user_string()} needs {parent.to_user_string()} of a later group"
            )


def test_schedule_run_config_names_the_jobs_real_ops() -> None:
    """The op names come from the asset definitions, so the config fits the job it launches."""
    request = all_assets_job_schedule.evaluate_tick(build_schedule_context()).run_requests[0]
    assert set(request.run_config["ops"]) == {
        "bronze__artists",
        "bronze__artist_albums",
        "bronze__albums",
        "bronze__album_tracks",
        "bronze__playlists",
        "bronze__playlist_items",
    }
    assert validate_run_config(defs.resolve_job_def("all_assets_job"), request.run_config)
