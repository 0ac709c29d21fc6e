"""Run SQL assets through Dagster in tests and read back what they reported."""

from collections.abc import Sequence
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    AssetsDefinition,
    DagsterInstance,
    ExecuteInProcessResult,
    materialize,
)

from spotify_assets.warehouse.connection import PostgresResource


def build(
    postgres: PostgresResource,
    assets: Sequence[AssetsDefinition],
    *,
    instance: DagsterInstance | None = None,
    raise_on_error: bool = True,
) -> ExecuteInProcessResult:
    """Materialize ``assets`` (and their checks) as Dagster would, against ``postgres``."""
    return materialize(
        list(assets),
        resources={"postgres": postgres},
        instance=instance,
        raise_on_error=raise_on_error,
    )


def checks(result: ExecuteInProcessResult) -> dict[str, AssetCheckEvaluation]:
    """Check evaluations of the run by check name."""
    return {
        evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()
    }


def failed_checks(result: ExecuteInProcessResult) -> dict[str, AssetCheckEvaluation]:
    return {
        name: evaluation for name, evaluation in checks(result).items() if not evaluation.passed
    }


def metadata(result: ExecuteInProcessResult, key: AssetKey) -> dict[str, Any]:
    """The materialization metadata of ``key`` in the run, as plain values."""
    (event,) = [
        event for event in result.get_asset_materialization_events() if event.asset_key == key
    ]
    return {name: value.value for name, value in event.materialization.metadata.items()}


def check_metadata(evaluation: AssetCheckEvaluation) -> dict[str, Any]:
    return {name: value.value for name, value in evaluation.metadata.items()}
