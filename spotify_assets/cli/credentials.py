"""``spotify-assets credentials``: store, inspect, test and rotate the encrypted Spotify credentials."""

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from spotify_assets.resources.credentials import (
    CLIENT_ID_ENV,
    CLIENT_SECRET_ENV,
    KEY_ENV,
    CredentialsError,
    CredentialStore,
    SpotifyCredentials,
    default_credentials_file,
    default_key_file,
)
from spotify_assets.resources.spotify_client import (
    SPOTIFY_ACCOUNTS_URL,
    ClientSettings,
    LiveSpotifyClient,
    SpotifyAuthError,
    SpotifyError,
)
from spotify_assets.settings import ACCOUNTS_URL_ENV

_NEW_KEY_HINT = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def _store_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--key-file / --credentials-file on every subcommand, opened as one store."""

    @click.option(
        "--key-file",
        type=click.Path(path_type=Path),  # a directory gets the store's message, with its fix
        default=None,
        help=f"Fernet key file [default: {default_key_file()}; {KEY_ENV} overrides it].",
    )
    @click.option(
        "--credentials-file",
        type=click.Path(path_type=Path),  # a directory gets the store's message, with its fix
        default=None,
        help=f"Encrypted credentials file [default: {default_credentials_file()}].",
    )
    @functools.wraps(command)
    def wrapper(key_file: Path | None, credentials_file: Path | None, **kwargs: Any) -> Any:
        store = CredentialStore(
            key_file=key_file or default_key_file(),
            credentials_file=credentials_file or default_credentials_file(),
            key=os.environ.get(KEY_ENV) or None,
        )
        return command(store, **kwargs)

    return wrapper


@click.group()
def credentials() -> None:
    """Spotify app credentials, encrypted at rest with a Fernet key (both files mode 0600).

    \b
    Without stored credentials the pipeline runs against the offline sandbox.
    The key lives in the key file, or in SPOTIFY_ASSETS_FERNET_KEY (newest first,
    comma-separated), which is how Dagster receives it.
    """


def _read_credentials(from_stdin: bool) -> tuple[SpotifyCredentials, str]:
    if from_stdin:
        lines = [line.strip() for line in sys.stdin.read().splitlines()]
        lines = [line for line in lines if line]
        if len(lines) != 2:
            raise CredentialsError(
                f"--stdin expects two lines, the client id then the client secret; got {len(lines)}."
            )
        return SpotifyCredentials(client_id=lines[0], client_secret=lines[1]), "standard input"
    client_id, client_secret = os.environ.get(CLIENT_ID_ENV), os.environ.get(CLIENT_SECRET_ENV)
    if client_id or client_secret:
        if not (client_id and client_secret):
            missing = CLIENT_SECRET_ENV if client_id else CLIENT_ID_ENV
            raise CredentialsError(
                f"{missing} is not set; set both {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV}, or neither to be prompted."
            )
        return SpotifyCredentials(
            client_id=client_id, client_secret=client_secret
        ), "the environment"
    click.echo("Find them at https://developer.spotify.com/dashboard (your app > Settings).")
    client_id = click.prompt("Spotify client id", hide_input=True)
    client_secret = click.prompt("Spotify client secret", hide_input=True)
    return SpotifyCredentials(
        client_id=client_id.strip(), client_secret=client_secret.strip()
    ), "the prompt"


@credentials.command("init")
@_store_options
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Read the client id and secret as two lines from standard input.",
)
@click.option("--force", is_flag=True, help="Replace credentials already stored.")
def init(store: CredentialStore, from_stdin: bool, force: bool) -> None:
    """Store the client id and secret, encrypted (creates the key if there is none).

    They are prompted for without echo, or read from SPOTIFY_CLIENT_ID and
    SPOTIFY_CLIENT_SECRET, or from standard input with --stdin.
    """
    if store.has_credentials() and not force:
        store.read_token()  # a directory or an unreadable file says so first
        raise CredentialsError(
            f"Credentials are already stored in {store.credentials_file}. Pass --force to replace "
            "them (or `spotify-assets credentials rotate` to change only the key)."
        )
    creds, source = _read_credentials(from_stdin)
    created = not store.has_key()
    ring = store.save(creds)
    if created:
        click.echo(
            f"Created a Fernet key in {store.key_file} (mode 600). Back it up: without it the credentials cannot be read."
        )
    else:
        click.echo(f"Using the Fernet key from {ring.origin}.")
    click.echo(
        f"Stored client id {creds.masked_client_id} from {source}, encrypted, in {store.credentials_file} (mode 600)."
    )
    click.echo("Test them with `spotify-assets credentials check`.")


@credentials.command("show")
@_store_options
def show(store: CredentialStore) -> None:
    """Show where the credentials are and the client id, masked (never the secret)."""
    creds = store.load()
    ring = store.load_keys()
    click.echo(f"Credentials file: {store.credentials_file} (encrypted, mode 600)")
    click.echo(
        f"Key:              {ring.origin} ({len(ring.keys)} key{'s' if len(ring.keys) > 1 else ''}, newest first)"
    )
    click.echo(f"Client id:        {creds.masked_client_id}")
    click.echo("Client secret:    ******** (never shown)")
    if len(ring.keys) > 1 and ring.key_file is not None:
        click.echo(
            "Old keys are still readable; drop them with `spotify-assets credentials drop-old-keys`."
        )


@credentials.command("check")
@_store_options
@click.option(
    "--accounts-url",
    default=SPOTIFY_ACCOUNTS_URL,
    envvar=ACCOUNTS_URL_ENV,
    show_default=True,
    help=f"Token endpoint to ask (e.g. the sandbox's; or ${ACCOUNTS_URL_ENV}).",
)
@click.option("--timeout", default=15.0, show_default=True, help="Seconds to wait for an answer.")
def check(store: CredentialStore, accounts_url: str, timeout: float) -> None:
    """Ask the accounts service for a token with the stored credentials."""
    creds = store.load()
    settings = ClientSettings(accounts_url=accounts_url, timeout_seconds=timeout, max_attempts=3)
    with LiveSpotifyClient(credentials=creds, settings=settings) as client:
        try:
            lifetime = client.fetch_token()
        except SpotifyAuthError as exc:
            raise click.ClickException(
                f"{accounts_url} refused client id {creds.masked_client_id}: {exc.oauth_error}. "
                "Copy the id and secret again from https://developer.spotify.com/dashboard and run "
                "`spotify-assets credentials init --force`."
            ) from None
        except SpotifyError as exc:
            raise click.ClickException(
                f"Could not get a token from {accounts_url}: {exc}"
            ) from None
    click.echo(
        f"OK: {accounts_url} issued a bearer token for client id {creds.masked_client_id} (valid {lifetime:.0f} s)."
    )


@credentials.command("rotate")
@_store_options
def rotate(store: CredentialStore) -> None:
    """Re-encrypt with a new key put first; the old key stays readable until drop-old-keys."""
    before = store.load_keys()
    ring = store.rotate()
    if ring.key_file is not None:
        click.echo(
            f"New key added first in {ring.key_file}; {store.credentials_file} re-encrypted with it."
        )
        click.echo(
            f"{len(ring.keys) - 1} old key(s) kept readable. When nothing else uses them, run `spotify-assets credentials drop-old-keys`."
        )
        return
    click.echo(f"Re-encrypted {store.credentials_file} with the first key in {KEY_ENV}.")
    if len(before.keys) == 1:
        click.echo(
            f"To move to a new key, put one first in {KEY_ENV} (NEW,OLD; make one with {_NEW_KEY_HINT}) and run rotate again."
        )


@credentials.command("drop-old-keys")
@_store_options
def drop_old_keys(store: CredentialStore) -> None:
    """Keep only the newest key (after `rotate`); credentials are re-encrypted with it first."""
    dropped = store.drop_old_keys()
    if dropped:
        click.echo(f"Dropped {dropped} old key(s) from {store.key_file}; only the newest remains.")
    else:
        click.echo(f"{store.key_file} holds a single key; nothing to drop.")
