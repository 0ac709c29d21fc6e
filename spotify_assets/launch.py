"""What the main commands start: the whole pipeline in one run, and the Dagster UI with its daemon.

Both use the project's Dagster instance (see ``spotify_assets.instance``), so runs started from
the command line appear in the UI, and both leave the embedded PostgreSQL (and, without Spotify
credentials, the offline sandbox) running for the next command.
"""

import importlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterInstance

from spotify_assets import instance as project_instance

CODE_LOCATION_MODULE = "spotify_assets.definitions"


@dataclass(frozen=True)
class TableResult:
    asset: str
    table: str | None
    rows: int | None
    checks_passed: int = 0
    checks_warned: int = 0
    checks_failed: int = 0


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    success: bool
    seconds: float
    tables: list[TableResult] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    report: str | None = None

    @property
    def checks(self) -> tuple[int, int, int]:
        return (
            sum(t.checks_passed for t in self.tables),
            sum(t.checks_warned for t in self.tables),
            sum(t.checks_failed for t in self.tables),
        )


def _use_instance(home: Path) -> None:
    os.environ.update(project_instance.prepare(home))


def materialize_all(home: Path) -> RunSummary:
    """Run ``all_assets_job`` in this process on the project's instance and summarize it."""
    _use_instance(home)
    defs = importlib.import_module(CODE_LOCATION_MODULE).defs
    job = defs.resolve_job_def("all_assets_job")
    started = time.monotonic()
    with DagsterInstance.get() as instance:
        # The terminal gets warnings and errors; every event is in the UI.
        quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
        result = job.execute_in_process(instance=instance, run_config=quiet, raise_on_error=False)
    seconds = time.monotonic() - started
    checks: dict[str, list] = {}
    for evaluation in result.get_asset_check_evaluations():
        checks.setdefault(evaluation.asset_key.to_user_string(), []).append(evaluation)
    tables, report = [], None
    for event in result.get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        metadata = event.materialization.metadata
        evaluations = checks.get(key, [])
        tables.append(
            TableResult(
                asset=key,
                table=getattr(metadata.get("dagster/table_name"), "value", None),
                rows=getattr(metadata.get("dagster/row_count"), "value", None),
                checks_passed=sum(e.passed for e in evaluations),
                checks_warned=sum(not e.passed and e.severity.value == "WARN" for e in evaluations),
                checks_failed=sum(
                    not e.passed and e.severity.value == "ERROR" for e in evaluations
                ),
            )
        )
        if "report_path" in metadata:
            report = str(metadata["report_path"].value)
    failed = [event.step_key for event in result.all_events if event.is_step_failure]
    return RunSummary(result.run_id, result.success, seconds, tables, failed, report)


def format_summary(summary: RunSummary) -> str:
    passed, warned, failed = summary.checks
    status = "succeeded" if summary.success else "FAILED"
    lines = [
        f"Run {summary.run_id} {status} in {summary.seconds:.1f} s: "
        f"{len(summary.tables)} assets materialized.",
        "",
        f"  {'table':<34}{'rows':>10}   checks",
    ]
    for table in sorted(summary.tables, key=lambda t: t.asset):
        notes = []
        if table.checks_passed:
            notes.append(f"{table.checks_passed} passed")
        if table.checks_warned:
            notes.append(f"{table.checks_warned} warned")
        if table.checks_failed:
            notes.append(f"{table.checks_failed} FAILED")
        rows = "" if table.rows is None else f"{table.rows:,}"
        lines.append(f"  {table.table or table.asset:<34}{rows:>10}   {', '.join(notes)}")
    lines += ["", f"Checks: {passed} passed, {warned} warned, {failed} failed."]
    if summary.failed_steps:
        lines.append(
            f"Failed steps: {', '.join(summary.failed_steps)} (details: spotify-assets ui)."
        )
    if summary.report:
        lines.append(f"Report: {summary.report}")
    lines += [
        "",
        "Where to look next:",
        "  spotify-assets ui                                      the Dagster UI on this instance",
        "  spotify-assets db psql -c 'table gold.artist_summary'  the warehouse in psql",
    ]
    return "\n".join(lines)


def dagster_dev(home: Path, dagster_args: list[str]) -> None:
    """Replace this process with ``dagster dev`` (webserver and daemon) on the project's instance."""
    _use_instance(home)
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster), "dev", "-m", CODE_LOCATION_MODULE, *dagster_args]
    os.execv(command[0], command)
