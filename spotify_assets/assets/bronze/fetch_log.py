"""The fetch log: what each run's bronze steps fetched, read back by the run's next steps.

A bronze step's work list is data, not "the latest materialization": the queued coordinator runs
several runs at once and the ``spotify_api`` pool serialises steps, not runs, so the latest
materialization of an upstream asset may be another run's (a one-artist sensor run beside the
daily full refresh). Each step logs what it fetched in ``bronze.fetch_log`` under its run id, in
the transaction that stores its rows (the IO manager does it, see ``fetch_log`` metadata); the
next step reads the entry of its own run, or of the run it re-executes (``parent_run_id``, up to
the root), so a re-executed failed step works on its original run's scope.

A step whose upstream step ran in none of these runs (e.g. "Materialize selected" on
bronze/albums alone) fails at once, naming what to select: any scope it picked for itself (the
latest fetch, the whole watch list) would be a guess. Event-log metadata shows the same values,
for display only.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from dagster import AssetExecutionContext, Failure

from spotify_assets.warehouse.connection import PostgresResource

FETCH_LOG = "fetch_log"


@dataclass(frozen=True)
class RunFetch:
    """What an upstream step fetched, and the run that fetched it (the rows' ``load_id``)."""

    run_id: str
    fetched: Mapping[str, Any]


def _logged(postgres: PostgresResource, name: str, params: Mapping[str, Any] | None = None) -> list:
    """The rows of ``sql/<name>.sql`` over the fetch log; none before a bronze step made the log.

    Asked straight away: a connection costs more than the query, so existence is not asked first.
    """
    try:
        return postgres.query_sql_file(name, params)
    except psycopg.errors.UndefinedTable:
        return []


def run_lineage(context: AssetExecutionContext) -> list[str]:
    """This run's id, then the runs it re-executes, nearest first."""
    lineage = [context.run.run_id]
    parent = context.run.parent_run_id
    while parent is not None and parent not in lineage:
        lineage.append(parent)
        run = context.instance.get_run_by_id(parent)
        parent = run.parent_run_id if run is not None else None
    return lineage


def upstream_fetch(
    context: AssetExecutionContext, postgres: PostgresResource, table: str
) -> RunFetch:
    """What bronze/<table> fetched in this run (or in the run this one re-executes)."""
    lineage = run_lineage(context)
    rows = _logged(postgres, "bronze/select_run_fetch", {"asset": table, "run_ids": lineage})
    if not rows:
        this = context.asset_key.to_user_string()
        runs = f"run {lineage[0]}" + (" nor the runs it re-executes" if len(lineage) > 1 else "")
        raise Failure(
            description=f"{this} works on what bronze/{table} fetched in the same run, and {runs} "
            f"did not run bronze/{table}. Materialize bronze/{table} together with {this}.",
            allow_retries=False,
        )
    ((run_id, fetched),) = rows
    return RunFetch(run_id, fetched)


def latest_entries(
    postgres: PostgresResource, asset: str, field: str, since: dt.datetime | None = None
) -> dict[str, str]:
    """Each key of the object ``field`` that bronze/<asset> logs, as its latest run logged it
    (of the runs logged ``since`` then, when given: the log grows by a row per run)."""
    rows = _logged(
        postgres,
        "bronze/select_latest_fetched_entries",
        {"asset": asset, "field": field, "since": since},
    )
    return dict(rows)


def latest_fetch(postgres: PostgresResource) -> tuple[str, dt.datetime] | None:
    """The source (sandbox or Spotify) and time of the latest bronze fetch, of any run."""
    rows = _logged(postgres, "bronze/select_latest_fetch")
    return (rows[0][0], rows[0][1]) if rows else None
