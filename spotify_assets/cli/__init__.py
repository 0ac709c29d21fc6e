"""The ``spotify-assets`` command, one module per command group.

``main`` assembles the groups; ``errors`` holds the exit codes and the one handler that turns known
errors into a line on stderr; ``servers`` reports any background server alike. ``run`` (with
``launch`` and ``supervised_run``) materializes the pipeline or starts the UI; ``db``,
``sandbox`` (with ``sandbox_options``) and ``credentials`` manage what the pipeline runs on.

This module imports no command, so the sandbox and Dagster can import ``sandbox_options`` without
loading every command.
"""


def entrypoint() -> None:
    """The console script (``[project.scripts]``): every command, with its errors handled."""
    from spotify_assets.cli.main import main

    main()
