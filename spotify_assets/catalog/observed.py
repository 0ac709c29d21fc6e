"""What the Dagster instance recorded: the latest materialization and the latest check results.

Counts and times only: the row count comes from the materialization's ``dagster/row_count``
metadata, never from reading the table.
"""

import datetime as dt
from collections.abc import Sequence

from dagster import AssetCheckEvaluation, AssetCheckKey, AssetKey, DagsterInstance

from spotify_assets.catalog.model import CheckResult, Observed


def _time(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


def latest_materialization(instance: DagsterInstance, key: AssetKey) -> Observed | None:
    """The asset's latest materialization: its row count, time and run; None if never built."""
    event = instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return None
    row_count = event.asset_materialization.metadata.get("dagster/row_count")
    return Observed(
        row_count=None if row_count is None else int(row_count.value),
        materialized_at=_time(event.timestamp),
        run_id=event.run_id,
    )


def latest_check_results(
    instance: DagsterInstance, keys: Sequence[AssetCheckKey]
) -> dict[AssetCheckKey, CheckResult]:
    """The latest evaluation of each check that has one (planned or skipped ones have none)."""
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(keys))
    results = {}
    for key, record in records.items():
        event = record.event
        evaluation = (
            event.dagster_event.event_specific_data if event and event.dagster_event else None
        )
        if not isinstance(evaluation, AssetCheckEvaluation):
            continue
        results[key] = CheckResult(
            passed=evaluation.passed,
            severity=evaluation.severity.value,
            evaluated_at=_time(event.timestamp),
            run_id=record.run_id,
            description=evaluation.description or "",
        )
    return results
