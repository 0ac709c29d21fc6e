"""What the main commands start: the whole pipeline in one run, and the Dagster UI with its daemon.

Both use the project's Dagster instance (see ``spotify_assets.instance``), so runs started from
the command line appear in the UI, and both leave the embedded PostgreSQL (and, without Spotify
credentials, the offline sandbox) running for the next command.
"""

import importlib
import logging
import os
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterEvent, DagsterInstance, ExecuteInProcessResult, JobExecutionResult

from spotify_assets import instance as project_instance
from spotify_assets.cli.supervised_run import supervise
from spotify_assets.instance.run_process import process_tags, release_abandoned_runs

CODE_LOCATION_MODULE = "spotify_assets.definitions"
log = logging.getLogger(__name__)
# The terminal gets warnings and errors; every event is in the UI.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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
    failure_reasons: dict[str, str] = field(default_factory=dict)
    report: str | None = None

    @property
    def checks(self) -> tuple[int, int, int]:
        return (
            sum(t.checks_passed for t in self.tables),
            sum(t.checks_warned for t in self.tables),
            sum(t.checks_failed for t in self.tables),
        )


def use_instance(home: Path) -> None:
    """Prepare the instance, then end runs whose process is gone and free the slots they held."""
    project_instance.prepare(home)
    with DagsterInstance.get() as instance:
        released = release_abandoned_runs(instance)
    for run_id in released.ended_runs:
        log.warning(
            "Run %s was left unfinished by a process that is gone: marked it ended.", run_id
        )
    for run_id in released.freed_runs:
        log.warning("Freed the pool slots that ended run %s still held.", run_id)


def materialize_all(home: Path) -> RunSummary:
    """Run ``all_assets_job`` in this process on the project's instance and summarize it.

    SIGINT and SIGTERM cancel the run and end the process (see ``supervised_run``).
    """
    use_instance(home)
    defs = importlib.import_module(CODE_LOCATION_MODULE).defs
    job = defs.resolve_job_def("all_assets_job")
    run_id = str(uuid.uuid4())

    def execute():
        with DagsterInstance.get() as instance:
            return job.execute_in_process(
                instance=instance,
                run_config=QUIET,
                raise_on_error=False,
                run_id=run_id,
                tags=process_tags(),
            )

    started = time.monotonic()
    result = supervise(run_id, execute, log)
    return summarize(result, time.monotonic() - started)


def summarize(result: ExecuteInProcessResult | JobExecutionResult, seconds: float) -> RunSummary:
    """What ``format_summary`` prints of a finished run, whichever executor ran it."""
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
    failures = [event for event in result.all_events if event.is_step_failure]
    return RunSummary(
        result.run_id,
        result.success,
        seconds,
        tables,
        failed_steps=[event.step_key for event in failures],
        failure_reasons={event.step_key: failure_reason(event) for event in failures},
        report=report,
    )


def failure_reason(event: DagsterEvent) -> str:
    """``Class: first line`` of a failed step's own error, beneath Dagster's wrappers."""
    error = event.step_failure_data.error
    # Dagster's own classes (Failure, step execution errors) wrap the error that says what happened.
    while error is not None and error.cause is not None and error.message.startswith("dagster."):
        error = error.cause
    if error is None:
        return "no error recorded"
    first = (error.message.strip().splitlines() or [""])[0]
    # Dagster records "module.Class: text"; the class name alone reads better.
    return f"{error.cls_name}: {first.split(': ', 1)[-1]}"


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
        lines.append("Failed steps:")
        for step in summary.failed_steps:
            reason = summary.failure_reasons.get(step)
            lines.append(f"  {step}: {reason}" if reason else f"  {step}")
        lines.append(
            f"Tracebacks are in the run's event log: spotify-assets ui, Runs, {summary.run_id}."
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
    use_instance(home)
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster), "dev", "-m", CODE_LOCATION_MODULE, *dagster_args]
    # dagster dev handles SIGTERM as it handles SIGINT; started in the background, a shell ignores
    # SIGINT for it, and the ignored handler, inherited across exec, would make it ignore both.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execv(command[0], command)
