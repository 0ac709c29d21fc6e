"""``spotify-assets worker start``: a dagster-celery worker with the project's settings.

A thin wrapper over ``dagster-celery worker start``: it prepares the project's Dagster instance
(DAGSTER_HOME, SPOTIFY_ASSETS_DAGSTER_STORAGE_URL; the embedded PostgreSQL started if it is the
one in use), writes the worker's config from the same settings the executor uses, checks the
broker, then hands over. Steps load the code location ``spotify_assets.definitions`` in the
worker's environment, so a worker on the same machine reaches the embedded PostgreSQL's socket
under the project home; on other machines set the database URLs (docs/deploy.md).
"""

import os
import sys
from pathlib import Path

import click
import yaml

from spotify_assets import celery_executor, settings


@click.group("worker")
def worker() -> None:
    """Celery workers for runs whose executor is Celery (SPOTIFY_ASSETS_CELERY_BROKER_URL)."""


@worker.command("start", context_settings={"ignore_unknown_options": True})
@click.option("--name", "-n", default=None, help="The worker's name (Celery adds @hostname).")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def start(name: str | None, celery_args: tuple[str, ...]) -> None:
    """Start a worker in the foreground; extra arguments go to `celery worker` (e.g. -c 2)."""
    from spotify_assets import instance as project_instance

    url = celery_executor.required_broker_url()
    try:
        import dagster_celery  # noqa: F401
    except ImportError:
        raise settings.SettingsError(
            f"the worker needs dagster-celery: {celery_executor.INSTALL}"
        ) from None
    celery_executor.check_broker(url)
    home = settings.project_home()
    environment = project_instance.prepare(home)
    config = Path(environment["DAGSTER_HOME"]) / "celery_worker.yaml"
    execution = {"execution": {"config": celery_executor.executor_config(url)}}
    config.write_text(yaml.safe_dump(execution))
    bin_dir = Path(sys.executable).parent
    # dagster-celery starts `celery` from PATH: this environment's.
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    command = [str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
    command += ["-y", str(config), *(["-n", name] if name else []), "--", *celery_args]
    os.execv(command[0], command)
