"""The Spotify resources: config to client settings, the Spotify-or-sandbox choice made once in
``definitions.py``, and a Dagster run (successful and failing) whose every output is searched for
the secret.

The runs use a sandbox over real HTTP with a secret of our own; the client's behaviour is
covered in test_spotify_client.py and test_spotify_sandbox.py.
"""

import importlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from dagster import (
    AssetExecutionContext,
    DagsterInstance,
    Definitions,
    EnvVar,
    MaterializeResult,
    asset,
    materialize,
)

from spotify_assets import definitions, settings
from spotify_assets.resources.credentials import (
    CLIENT_SECRET_ENV,
    KEY_ENV,
    CredentialsError,
    CredentialsMissingError,
    CredentialStore,
    SpotifyCredentials,
    SpotifyCredentialsResource,
)
from spotify_assets.resources.spotify import (
    SpotifyApiResource,
    SpotifyResource,
    SpotifySandboxResource,
)
from spotify_assets.resources.spotify_client import (
    SPOTIFY_ACCOUNTS_URL,
    SPOTIFY_API_URL,
    LiveSpotifyClient,
    SpotifyClient,
    SpotifyUnavailableError,
)
from spotify_assets.sandbox import embedded
from spotify_assets_tests.fixtures.spotify import CLIENT_ID, CLIENT_SECRET


def test_config_becomes_client_settings():
    resource = SpotifyApiResource(
        credentials=SpotifyCredentialsResource(client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
        api_url="http://127.0.0.1:1/v1",
        accounts_url="http://127.0.0.1:1/api/token",
        market="SE",
        api_mode="development",
        artist_albums_page_size=7,
        search_page_size=3,
        max_concurrency=2,
        max_retry_after_seconds=5,
        max_attempts=2,
    )
    with resource.get_client() as client:
        assert isinstance(client, LiveSpotifyClient)
        settings = client.settings
        assert (settings.api_url, settings.accounts_url) == (
            resource.api_url,
            resource.accounts_url,
        )
        assert (settings.market, settings.api_mode, settings.max_concurrency) == (
            "SE",
            "development",
            2,
        )
        assert (settings.max_retry_after_seconds, settings.max_attempts) == (5, 2)
        assert client.page_sizes["/artists/{id}/albums"] == 7 and client.page_sizes["/search"] == 3


def test_the_live_spotify_urls_are_the_defaults():
    resource = SpotifyApiResource(credentials=SpotifyCredentialsResource())
    assert (resource.api_url, resource.accounts_url) == (SPOTIFY_API_URL, SPOTIFY_ACCOUNTS_URL)
    assert resource.market == "US" and resource.api_mode == "auto"
    assert resource.max_retry_after_seconds == 60 and resource.max_concurrency == 4


def test_stored_credentials_mean_the_configured_urls(stored_credentials, tmp_path, monkeypatch):
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path))
    spotify = definitions._spotify(stored_credentials)
    assert isinstance(spotify, SpotifyApiResource) and spotify.source == "Spotify"
    assert (spotify.api_url, spotify.accounts_url) == (SPOTIFY_API_URL, SPOTIFY_ACCOUNTS_URL)
    assert spotify.credentials.get_credentials() == SpotifyCredentials(CLIENT_ID, CLIENT_SECRET)


def test_nothing_stored_means_the_sandbox_and_the_choice_is_logged_once(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path / "home"))
    nothing = SpotifyCredentialsResource(
        key_file=str(tmp_path / "k"), credentials_file=str(tmp_path / "c")
    )
    with caplog.at_level(logging.INFO):
        spotify = definitions._spotify(nothing)
    assert isinstance(spotify, SpotifySandboxResource) and spotify.source == "offline sandbox"
    assert spotify.home == str(settings.project_home())
    (choice,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Spotify:")]
    assert choice == (
        f"Spotify: no credentials stored ({tmp_path / 'c'} does not exist), so runs use the "
        "offline sandbox; `spotify-assets credentials init` stores them."
    )
    assert not (tmp_path / "home" / "sandbox").exists()  # chosen, not started: loading is cheap


def test_the_api_resource_without_credentials_is_an_error_with_the_fix(tmp_path):
    nothing = SpotifyCredentialsResource(
        key_file=str(tmp_path / "k"), credentials_file=str(tmp_path / "c")
    )
    with pytest.raises(CredentialsMissingError, match="spotify-assets credentials init"):
        SpotifyApiResource(credentials=nothing).get_client()


def test_broken_credentials_never_fall_back_to_the_sandbox(stored_credentials, tmp_path):
    Path(stored_credentials.key_file).unlink()
    spotify = definitions._spotify(stored_credentials)
    assert isinstance(spotify, SpotifyApiResource)
    with pytest.raises(CredentialsError, match="No Fernet key"):
        spotify.get_client()


# --- a Dagster run, searched for the secret ------------------------------------------------------

SECRET = "Zq9-very-distinctive-client-secret-7Xw"


@asset
def sandbox_artists(context: AssetExecutionContext, spotify: SpotifyResource) -> MaterializeResult:
    """One row per artist of the sandbox (a test asset)."""
    context.log.info("resource: %r", spotify)
    with spotify.get_client() as client:
        assert isinstance(client, SpotifyClient)
        ids = [f.spotify_id for f in client.search(query="a", type="artist", limit=3)]
        fetched = client.get_artists(ids=ids)
        context.log.info("fetched %s", fetched)
        return MaterializeResult(metadata={"rows": len(fetched), **client.stats()})


def _run_and_collect(spotify: SpotifyResource, tmp_path: Path, capfd, caplog) -> tuple[bool, str]:
    """Materialize; return success and everything the run emitted, as one text."""
    (tmp_path / "dagster").mkdir()
    with (
        DagsterInstance.local_temp(tempdir=str(tmp_path / "dagster")) as instance,
        caplog.at_level(logging.DEBUG),
    ):
        result = materialize(
            [sandbox_artists],
            resources={"spotify": spotify},
            instance=instance,
            raise_on_error=False,
        )
        run_id = result.run_id
        emitted = [
            repr(spotify),
            str(spotify),
            repr(result.dagster_run),
            str(result.dagster_run.run_config),
            *(repr(event) for event in result.all_events),
            *(repr(record) for record in instance.all_logs(run_id)),
            *(record.getMessage() for record in caplog.records),
            *(str(record.exc_info) for record in caplog.records if record.exc_info),
        ]
        for event in result.all_events:
            if event.is_step_failure:
                emitted.append(repr(event.step_failure_data.error))
    captured = capfd.readouterr()
    emitted += [captured.out, captured.err]
    for path in (tmp_path / "dagster").rglob("*"):  # event log db, compute logs, run storage
        if path.is_file():
            emitted.append(path.read_bytes().decode("utf-8", "replace"))
    return result.success, "\n".join(emitted)


@pytest.fixture
def secret_store(tmp_path, monkeypatch) -> CredentialStore:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, key)
    store = CredentialStore(
        key_file=tmp_path / "unused.keys", credentials_file=tmp_path / "credentials.fernet", key=key
    )
    store.save(SpotifyCredentials("sandbox-client-id", SECRET))
    return store


def _spotify(store: CredentialStore, server, how: str) -> SpotifyApiResource:
    if how == "encrypted file, key as EnvVar":
        credentials = SpotifyCredentialsResource(
            fernet_key=EnvVar(KEY_ENV), credentials_file=str(store.credentials_file)
        )
    else:
        credentials = SpotifyCredentialsResource(
            client_id="sandbox-client-id", client_secret=EnvVar(CLIENT_SECRET_ENV)
        )
    return SpotifyApiResource(
        credentials=credentials, api_url=server.api_url, accounts_url=server.token_url
    )


HOW = ["encrypted file, key as EnvVar", "plain secret as EnvVar"]


@pytest.mark.parametrize("how", HOW)
def test_a_dagster_run_never_shows_the_secret_or_the_key(
    secret_store, make_sandbox, tmp_path, capfd, caplog, monkeypatch, how
):
    monkeypatch.setenv(CLIENT_SECRET_ENV, SECRET)
    server = make_sandbox(client_secret=SECRET)
    spotify = _spotify(secret_store, server, how)
    success, emitted = _run_and_collect(spotify, tmp_path, capfd, caplog)
    assert success, emitted[-3000:]
    # What we searched holds the run's logs and metadata ...
    assert "fetched [Fetched(spotify_id=" in emitted and "bytes_received" in emitted
    assert "SpotifyApiResource(market=" in emitted
    assert "credentials=SpotifyCredentialsResource(" in emitted
    # ... and neither the secret nor the key.
    assert SECRET not in emitted
    assert os.environ[KEY_ENV] not in emitted


@pytest.mark.parametrize("how", HOW)
def test_a_failing_dagster_run_never_shows_the_secret(
    secret_store, make_sandbox, tmp_path, capfd, caplog, monkeypatch, how
):
    monkeypatch.setenv(CLIENT_SECRET_ENV, SECRET)
    server = make_sandbox(client_secret="the-server-expects-another-secret")
    spotify = _spotify(secret_store, server, how)
    success, emitted = _run_and_collect(spotify, tmp_path, capfd, caplog)
    assert not success
    assert "invalid_client: Invalid client secret" in emitted
    assert SECRET not in emitted


# --- the embedded default ------------------------------------------------------------------------


def test_without_credentials_the_resource_runs_against_the_offline_sandbox(tmp_path, caplog):
    home = tmp_path / "home"
    try:
        with caplog.at_level(logging.WARNING):
            spotify = SpotifySandboxResource(home=str(home))
            with spotify.get_client() as client:
                found = client.search(query="a", type="artist", limit=2)
                assert [f.object["id"] for f in client.get_artists(ids=[found[0].spotify_id])]
            # Another resource (say, another asset's) reuses the running sandbox, silently.
            again = SpotifySandboxResource(home=str(home)).server()
        endpoints = spotify.server()
        assert spotify.source == "offline sandbox" and again == endpoints
        assert endpoints.api_url == embedded.status(home).endpoints.api_url
        assert endpoints.api_url.startswith("http://127.0.0.1:")
        notices = [r.getMessage() for r in caplog.records if "OFFLINE SANDBOX" in r.getMessage()]
        assert len(notices) == 1
        assert endpoints.api_url in notices[0] and "spotify-assets credentials init" in notices[0]
    finally:
        embedded.stop(home)


def test_the_wiring_recommended_for_definitions(tmp_path, monkeypatch, make_sandbox):
    """The resources definitions.py picks from the environment load and run an asset."""
    server = make_sandbox()
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path))
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", server.client_id)
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", server.client_secret)
    monkeypatch.setenv(settings.API_URL_ENV, server.api_url)
    monkeypatch.setenv(settings.ACCOUNTS_URL_ENV, server.token_url)
    spotify_credentials = SpotifyCredentialsResource.from_environment()
    spotify = definitions._spotify(spotify_credentials)
    defs = Definitions(
        assets=[sandbox_artists],
        resources={"spotify_credentials": spotify_credentials, "spotify": spotify},
    )
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    [materialization] = result.asset_materializations_for_node("sandbox_artists")
    assert materialization.metadata["rows"].value == 3
    assert not (tmp_path / "sandbox").exists()  # credentials given: no offline sandbox


def test_with_the_sandbox_down_the_error_names_it_and_how_to_start_it(tmp_path):
    home = tmp_path / "home"
    spotify = SpotifySandboxResource(home=str(home), max_attempts=2)
    try:
        with spotify.get_client(backoff_initial_seconds=0.01) as client:
            client.search(query="a", type="artist", limit=1)
            embedded.stop(home)
            with pytest.raises(SpotifyUnavailableError) as down:
                client.search(query="b", type="artist", limit=1)
    finally:
        embedded.stop(home)
    message = str(down.value)
    assert f"The offline sandbox at {spotify.server().api_url} is down or failing" in message
    assert "`spotify-assets sandbox start` starts it" in message
    assert "Spotify or the network" not in message


def test_urls_from_the_environment_reach_the_definitions_resource(monkeypatch):
    monkeypatch.setenv(settings.API_URL_ENV, "http://127.0.0.1:9/v1/")
    monkeypatch.setenv(settings.ACCOUNTS_URL_ENV, "http://localhost:9/api/token")
    assert settings.spotify_urls() == {
        "api_url": "http://127.0.0.1:9/v1",
        "accounts_url": "http://localhost:9/api/token",
    }
    definitions = importlib.import_module("spotify_assets.definitions")
    try:
        spotify = importlib.reload(definitions).defs.resources["spotify"]
        assert (spotify.api_url, spotify.accounts_url) == (
            "http://127.0.0.1:9/v1",
            "http://localhost:9/api/token",
        )
    finally:
        monkeypatch.delenv(settings.API_URL_ENV)
        monkeypatch.delenv(settings.ACCOUNTS_URL_ENV)
        importlib.reload(definitions)


def test_the_requests_in_flight_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(settings.MAX_CONCURRENCY_ENV, "12")
    definitions = importlib.import_module("spotify_assets.definitions")
    try:
        assert importlib.reload(definitions).defs.resources["spotify"].max_concurrency == 12
    finally:
        monkeypatch.delenv(settings.MAX_CONCURRENCY_ENV)
        importlib.reload(definitions)


@pytest.mark.parametrize("value", ["0", "33", "four", "-1"])
def test_a_bad_number_of_requests_in_flight_is_one_clear_line(monkeypatch, value):
    monkeypatch.setenv(settings.MAX_CONCURRENCY_ENV, value)
    with pytest.raises(settings.SettingsError) as bad:
        settings.max_concurrency()
    assert str(bad.value) == (
        f"{settings.MAX_CONCURRENCY_ENV}={value!r} is not a number of requests from 1 to 32; "
        f"e.g. {settings.MAX_CONCURRENCY_ENV}=4"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("127.0.0.1:8765/v1", "the scheme must be http or https"),
        ("ftp://example.com/v1", "the scheme must be http or https"),
        ("http:///v1", "it names no host"),
        ("http://example.com:99999/v1", "Port out of range 0-65535"),
        ("http://example.com/v1?market=SE", "it must not carry a query or fragment"),
    ],
)
def test_a_malformed_url_in_the_environment_is_one_clear_line(monkeypatch, value, problem):
    monkeypatch.setenv(settings.API_URL_ENV, value)
    with pytest.raises(settings.SettingsError) as bad:
        settings.spotify_urls()
    assert str(bad.value) == (
        f"{settings.API_URL_ENV}={value!r} is not a usable URL ({problem}); "
        f"e.g. {settings.API_URL_ENV}=https://api.spotify.com/v1"
    )


def test_a_url_with_a_password_is_refused_without_showing_it(monkeypatch, tmp_path):
    url = "https://me:Pa55-w0rd@proxy.example/api/token"
    env = {**os.environ, settings.ACCOUNTS_URL_ENV: url, "SPOTIFY_ASSETS_HOME": str(tmp_path)}
    script = str(Path(sys.executable).with_name("spotify-assets"))
    result = subprocess.run([script, "run"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: {settings.ACCOUNTS_URL_ENV}='***@proxy.example/api/token' is not a usable URL "
        f"(it must not carry a user or password); "
        f"e.g. {settings.ACCOUNTS_URL_ENV}=https://accounts.spotify.com/api/token"
    )
    assert "Pa55-w0rd" not in result.stdout + result.stderr
    assert not (tmp_path / "pgdata").exists()  # nothing started


def test_other_urls_without_credentials_are_an_error_not_the_sandbox(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path))
    monkeypatch.setenv(settings.API_URL_ENV, "http://127.0.0.1:9/v1")
    nothing = SpotifyCredentialsResource(
        key_file=str(tmp_path / "none.keys"), credentials_file=str(tmp_path / "none.fernet")
    )
    spotify = definitions._spotify(nothing)
    assert isinstance(spotify, SpotifyApiResource)
    with pytest.raises(CredentialsMissingError) as missing:
        spotify.get_client()
    assert "The Spotify API is set to http://127.0.0.1:9/v1" in str(missing.value)
    assert "unset SPOTIFY_ASSETS_API_URL and SPOTIFY_ASSETS_ACCOUNTS_URL" in str(missing.value)
    assert not (tmp_path / "sandbox").exists()
