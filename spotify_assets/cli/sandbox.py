"""``spotify-assets sandbox ...``: serve a sandbox in the foreground, or manage the shared one."""

import gc
import json
import signal
import sys
from pathlib import Path

import click

from spotify_assets import settings
from spotify_assets.cli import servers
from spotify_assets.cli.errors import CommandGroup
from spotify_assets.cli.sandbox_options import config_from_options, config_options
from spotify_assets.sandbox import allocator, embedded
from spotify_assets.sandbox.server import SandboxServer
from spotify_assets.sandbox.server_config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    SandboxConfig,
)

DEFAULT_PORT = 8765


@click.group(cls=CommandGroup)
def sandbox() -> None:
    """The offline Spotify sandbox: a Spotify-compatible Web API over a generated catalog.

    \b
    `serve` runs one in the foreground (for you, a test or a benchmark);
    `start`/`stop`/`status` manage the project's shared background sandbox,
    which the pipeline uses when no Spotify credentials are stored.
    """


def _describe(config: SandboxConfig, token_url: str, api_url: str) -> list[str]:
    # Only the documented default credentials are printed in full; a chosen id is masked.
    secret = config.client_secret if config.client_secret == DEFAULT_CLIENT_SECRET else "(as given)"
    client_id = config.client_id
    if client_id != DEFAULT_CLIENT_ID:
        from spotify_assets.resources.credentials import mask  # imports Dagster: only when needed

        client_id = mask(client_id)
    return [
        f"Spotify sandbox: {config.mode} mode, {config.artists} artists, seed {config.seed}",
        f"  token URL: {token_url}",
        f"  API URL:   {api_url}",
        f"  client id: {client_id}   client secret: {secret}",
    ]


@sandbox.command()
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port).")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True,
              help="IPv4 address to listen on. Anything but loopback lets other machines change "
                   "its faults and catalog; it warns.")  # fmt: skip
@config_options
@click.option("--ready-file", type=click.Path(dir_okay=False, path_type=Path), hidden=True)
def serve(port: int, ready_file: Path | None, **options) -> None:
    """Serve a sandbox (on 127.0.0.1 unless --host says otherwise) until Ctrl-C or SIGTERM."""
    config = config_from_options(port, options)
    try:
        server = SandboxServer(config)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    if config.exposed:
        click.echo(
            f"Warning: listening on {config.host}, not only on this machine: anyone who reaches port "
            f"{server.port} can use the sandbox credentials, change its faults and add releases.",
            err=True,
        )
    for line in _describe(config, server.token_url, server.api_url):
        click.echo(line)
    click.echo("Stop with Ctrl-C.")
    sys.stdout.flush()
    if ready_file is not None:
        embedded.write_state(ready_file, server)
    # uvicorn shuts down gracefully on SIGTERM and then re-raises it: exit 0 instead of dying of it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # The caches soon hold a few hundred thousand objects that are never garbage; collecting less
    # often saves about a sixth of the CPU a first pass over a big catalog costs. This process
    # serves and nothing else, so its collector and allocator settings concern no one else.
    gc.set_threshold(50_000, 20, 20)
    allocator.keep_large_blocks()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("Sandbox stopped.")


def _endpoints(state: embedded.SandboxStatus) -> list[str]:
    return [f"  token URL: {state.endpoints.token_url}", f"  API URL:   {state.endpoints.api_url}"]


def _health(state: embedded.SandboxStatus) -> list[str]:
    return [f"Log: {state.log_file}", json.dumps(state.health, indent=2, ensure_ascii=False)]


@sandbox.command()
@config_options
def start(**options) -> None:
    """Start the project's shared background sandbox.

    One already running is reused if it was started with the same options; with other options
    this fails rather than restart it under the runs and the UI daemon using it.
    """
    config = config_from_options(0, options)
    servers.start(embedded.SharedSandbox(settings.project_home(), config), _endpoints)


@sandbox.command()
def stop() -> None:
    """Stop the project's shared background sandbox."""
    servers.stop(embedded.SharedSandbox(settings.project_home()))


@sandbox.command()
def status() -> None:
    """Say whether the shared background sandbox runs, and where."""
    servers.status(embedded.SharedSandbox(settings.project_home()), "sandbox", _health)
