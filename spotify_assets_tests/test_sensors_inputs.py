"""Sensor ticks on inputs they cannot use: an unreadable or empty watch list, unusable
credentials. Each tick ends in a SkipReason carrying the input's one-line error (or, for the
failure sensor, still records the failure); none raises. Regular ticks are in test_sensors.py.
"""

from pathlib import Path

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    SkipReason,
    asset,
    build_run_status_sensor_context,
    build_sensor_context,
    materialize,
)

from spotify_assets.resources.credentials import SpotifyCredentialsResource
from spotify_assets.resources.postgres import PostgresResource
from spotify_assets.resources.spotify import SpotifyApiResource
from spotify_assets.resources.watchlist import WatchListResource
from spotify_assets.sensors import new_release_sensor, run_failure_sensor, watchlist_sensor
from spotify_assets_tests.fixtures.broken_inputs import (
    BROKEN_CREDENTIALS,
    RANDOM_BYTES,
    break_credentials,
)

UNREADABLE = {
    "binary": "is not UTF-8 text (byte 0x80 at offset 0); it must be a YAML text file, saved as UTF-8.",
    "directory": "is a directory; name the YAML file itself (SPOTIFY_ASSETS_WATCHLIST=<folder>/watchlist.yaml).",
    "empty": "lists no artists and no playlists; add `- <id, URI, URL or search: query>` entries under `artists:` or `playlists:`.",
}  # fmt: skip


def _watchlist(tmp_path: Path, case: str) -> Path:
    path = tmp_path / "watchlist.yaml"
    if case == "directory":
        path.mkdir()
    else:
        path.write_bytes(RANDOM_BYTES if case == "binary" else b"# nothing yet\n")
    return path


def _credentials(tmp_path: Path, case: str) -> tuple[SpotifyCredentialsResource, str]:
    broken = break_credentials(tmp_path / "config", case)
    resource = SpotifyCredentialsResource(
        fernet_key=broken.env_key,
        key_file=str(broken.store.key_file),
        credentials_file=str(broken.store.credentials_file),
    )
    return resource, broken.message


@pytest.mark.parametrize("case", UNREADABLE)
def test_watchlist_sensor_skips_naming_an_unreadable_or_empty_file(tmp_path, case) -> None:
    path = _watchlist(tmp_path, case)
    context = build_sensor_context(
        cursor="abc", resources={"watchlist": WatchListResource(path=str(path))}
    )
    result = watchlist_sensor(context)
    assert isinstance(result, SkipReason)
    assert result.skip_message == (
        f"The watch list cannot be used, nothing requested: Watch list {path} {UNREADABLE[case]}"
    )


@pytest.mark.postgres
@pytest.mark.parametrize("case", UNREADABLE)
def test_new_release_sensor_skips_naming_an_unreadable_watch_list(
    tmp_path, postgres: PostgresResource, case
) -> None:
    path = _watchlist(tmp_path, case)
    spotify = SpotifyApiResource(
        credentials=SpotifyCredentialsResource(client_id="i", client_secret="s")
    )
    with build_sensor_context(
        resources={
            "spotify": spotify,
            "postgres": postgres,
            "watchlist": WatchListResource(path=str(path)),
        },
        instance=DagsterInstance.ephemeral(),
    ) as context:
        result = new_release_sensor(context)
    assert isinstance(result, SkipReason)
    assert result.skip_message == (
        f"The watch list cannot be used, nothing checked: Watch list {path} {UNREADABLE[case]}"
    )


@pytest.mark.postgres
@pytest.mark.parametrize("case", BROKEN_CREDENTIALS)
def test_new_release_sensor_skips_naming_unusable_credentials(
    tmp_path, postgres: PostgresResource, case
) -> None:
    credentials, message = _credentials(tmp_path, case)
    resources = {
        "spotify": SpotifyApiResource(credentials=credentials),
        "postgres": postgres,
        "watchlist": WatchListResource(),
    }
    with build_sensor_context(resources=resources, instance=DagsterInstance.ephemeral()) as context:
        result = new_release_sensor(context)
    assert isinstance(result, SkipReason)
    assert result.skip_message == (
        f"The Spotify credentials cannot be used, nothing checked: {message}"
    )


@pytest.mark.postgres
def test_run_failure_sensor_records_a_failure_while_the_credentials_are_unusable(
    tmp_path, postgres: PostgresResource
) -> None:
    credentials, _ = _credentials(tmp_path, "key file of random bytes")

    @asset(key_prefix="bronze")
    def broken() -> None:
        raise RuntimeError("upstream said no")

    instance = DagsterInstance.ephemeral()
    result = materialize([broken], instance=instance, raise_on_error=False)
    (failure,) = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="run_failure_sensor",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"postgres": postgres, "spotify_credentials": credentials},
    ).for_run_failure()
    run_failure_sensor(context)
    with postgres.get_connection() as conn:
        rows = conn.execute(
            f'select step_key, message from "{postgres.schema("monitoring")}".run_failures'
        ).fetchall()
    assert rows == [("bronze__broken", "RuntimeError: upstream said no")]
