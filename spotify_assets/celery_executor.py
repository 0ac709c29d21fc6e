"""The Celery route: dagster-celery's executor and workers, on a broker given by URL.

Set ``SPOTIFY_ASSETS_CELERY_BROKER_URL`` (``redis://host:6379/0`` or ``amqp://user:pw@host//``)
and the code location's executor is ``celery_executor``: every run launched from the UI, and
``spotify-assets run --executor celery``, hands its steps to the workers that
``spotify-assets worker start`` runs. The executor and the workers read the same settings from
here, so what the orchestrator sends is what the workers expect.

Dagster still enforces the ``spotify_api`` pool: dagster-celery's execution loop claims the
instance's pool slots before it submits a step (see docs/deploy.md, "Celery").
"""

import os
from urllib.parse import urlsplit

from spotify_assets.settings import SettingsError
from spotify_assets.warehouse.urls import mask_password

BROKER_URL_ENV = "SPOTIFY_ASSETS_CELERY_BROKER_URL"
INSTALL = "pip install 'spotify_assets[celery]'"

# Settings of the Celery app on both ends. A step whose worker process dies (SIGKILL, the OOM
# killer) is acknowledged only once it ends, so Celery hands it to another worker process instead of
# losing it; every step's writes are one transaction, so a rerun starts from old-or-new tables.
APP_SETTINGS = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    # Fail fast when the broker is down instead of retrying for minutes.
    "broker_connection_timeout": 5,
}


class BrokerUnavailableError(RuntimeError):
    """The broker could not be reached; the message names its URL, password masked."""


def broker_url() -> str | None:
    """The broker URL the user set, or None: runs then execute in process."""
    return os.environ.get(BROKER_URL_ENV, "").strip() or None


def required_broker_url() -> str:
    url = broker_url()
    if url is None:
        raise SettingsError(
            f"{BROKER_URL_ENV} is not set; the Celery executor needs a broker, "
            f"e.g. {BROKER_URL_ENV}=redis://127.0.0.1:6379/0"
        )
    if urlsplit(url).scheme not in ("redis", "rediss", "amqp", "amqps", "pyamqp"):
        raise SettingsError(
            f"{BROKER_URL_ENV}={mask_password(url)!r} is not a Redis or RabbitMQ URL; "
            f"e.g. {BROKER_URL_ENV}=redis://127.0.0.1:6379/0"
        )
    return url


def executor_config(url: str) -> dict:
    """``celery_executor``'s config: URLs by environment variable, never their passwords."""
    # Redis can keep results too; RabbitMQ sends them back over the broker (rpc://).
    redis = urlsplit(url).scheme in ("redis", "rediss")
    return {
        "broker": {"env": BROKER_URL_ENV},
        "backend": {"env": BROKER_URL_ENV} if redis else "rpc://",
        "config_source": dict(APP_SETTINGS),
    }


def celery_executor_def():
    """dagster-celery's executor, configured for the broker in ``SPOTIFY_ASSETS_CELERY_BROKER_URL``."""
    url = required_broker_url()
    try:
        from dagster_celery import celery_executor
    except ImportError:
        raise SettingsError(
            f"{BROKER_URL_ENV} is set but dagster-celery is not installed: {INSTALL}"
        ) from None
    return celery_executor.configured(executor_config(url), name="celery_executor")


def check_broker(url: str) -> None:
    """Connect once to the broker, or raise :class:`BrokerUnavailableError` saying which."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=5) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        reason = str(exc).replace(urlsplit(url).password or "\0", "***")
        raise BrokerUnavailableError(
            f"The Celery broker at {mask_password(url)} ({BROKER_URL_ENV}) cannot be reached: {reason}. "
            f"Start it, or point {BROKER_URL_ENV} at a running Redis or RabbitMQ."
        ) from None
