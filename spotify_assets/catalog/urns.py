"""One name per warehouse table, shared by the DataHub export and the Airflow DAG's assets.

Plain strings, so the Airflow DAG can import this module without the DataHub SDK; they equal what
the SDK's ``make_dataset_urn("postgres", name, "PROD")`` builds.
"""

from spotify_assets.settings import WAREHOUSE_DATABASE

PLATFORM = "postgres"
ENV = "PROD"


def dataset_name(layer: str, table: str) -> str:
    """``spotify_assets.silver.tracks``: the logical warehouse, whatever server holds it."""
    return f"{WAREHOUSE_DATABASE}.{layer}.{table}"


def dataset_urn(layer: str, table: str) -> str:
    """The table's DataHub dataset URN, also its Airflow ``Asset`` URI."""
    return f"urn:li:dataset:(urn:li:dataPlatform:{PLATFORM},{dataset_name(layer, table)},{ENV})"
