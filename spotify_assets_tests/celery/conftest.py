"""The Celery tests need the celery extra: selected without it, the session errors, never skips."""

import importlib.util

import pytest


def pytest_collection_finish(session: pytest.Session) -> None:
    """After ``-m`` deselection: only tests that will run count."""
    selected = any(item.get_closest_marker("celery") for item in session.items)
    if selected and importlib.util.find_spec("dagster_celery") is None:
        raise pytest.UsageError(
            "the celery tests are selected but dagster_celery is not importable: "
            "install the extra with `.venv/bin/pip install -e '.[celery]'`"
        )
