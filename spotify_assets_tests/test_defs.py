"""The code location loads as `dagster dev` would load it, and every job resolves."""

from dagster import Definitions

from spotify_assets.definitions import defs


def test_definitions_load_and_jobs_resolve() -> None:
    Definitions.validate_loadable(defs)
    repository = defs.get_repository_def()
    for job in repository.get_all_jobs():
        assert job.name
    assert {"postgres", "io_manager"} <= set(defs.resources)
