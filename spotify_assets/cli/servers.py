"""What ``db`` and ``sandbox`` say when they start, report or stop their background server."""

from collections.abc import Callable

import click

from spotify_assets.background_server import BackgroundServer, ServerStatus

Details = Callable[[ServerStatus], list[str]]


def _no_details(_: ServerStatus) -> list[str]:
    return []


def start(server: BackgroundServer, details: Details = _no_details) -> None:
    url = server.start()
    click.echo(f"{server.name} running: {url}")
    for line in details(server.status()):
        click.echo(line)


def status(server: BackgroundServer, group: str, details: Details = _no_details) -> None:
    state = server.status()
    if not state.running:
        click.echo(
            f"{server.name} not running; data in {state.state_dir} (`spotify-assets {group} start`)."
        )
        return
    click.echo(f"{server.name} running (pid {state.pid}), data in {state.state_dir}")
    click.echo(f"URL: {state.url}")
    for line in details(state):
        click.echo(line)


def stop(server: BackgroundServer) -> None:
    if server.stop():
        click.echo(f"{server.name} stopped.")
    else:
        click.echo(f"{server.name} was not running.")
