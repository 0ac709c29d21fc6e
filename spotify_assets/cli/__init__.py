"""The ``spotify-assets`` command, one module per command group."""


def entrypoint() -> None:
    """The console script (``[project.scripts]``)."""
    from spotify_assets.cli.main import entrypoint

    entrypoint()
