"""The airflow tests need the airflow extra: selecting them without it is an error, not a skip."""

import importlib.util

import pytest

from spotify_assets.airflow.home import INSTALL


def pytest_collection_finish(session: pytest.Session) -> None:
    selected = any(item.get_closest_marker("airflow") for item in session.items)
    if selected and importlib.util.find_spec("airflow") is None:
        raise pytest.UsageError(
            f"The airflow tests need Apache Airflow, which is not installed: {INSTALL}"
        )
