"""What ``spotify-assets run`` says at the end: the tables built, checks, time per layer, API
requests, and each failed step's root cause, as text or as JSON for scripts."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from dagster import DagsterEvent
from dagster._core.execution.execute_in_process_result import ExecuteInProcessResult


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
    layer_seconds: dict[str, float] = field(default_factory=dict)
    api_requests: int = 0
    rate_limited: int = 0

    @property
    def checks(self) -> tuple[int, int, int]:
        return (
            sum(t.checks_passed for t in self.tables),
            sum(t.checks_warned for t in self.tables),
            sum(t.checks_failed for t in self.tables),
        )

    @property
    def event_log(self) -> str:
        return f"spotify-assets ui, Runs, {self.run_id}"


def summarize(
    result: ExecuteInProcessResult, seconds: float, layer_seconds: Mapping[str, float]
) -> RunSummary:
    """The summary of a finished run, from its materializations, check evaluations and failures."""
    checks: dict[str, list] = {}
    for evaluation in result.get_asset_check_evaluations():
        checks.setdefault(evaluation.asset_key.to_user_string(), []).append(evaluation)
    tables, report, requests, rate_limited = [], None, 0, 0
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
        if "api_requests" in metadata:
            requests += int(metadata["api_requests"].value)
            rate_limited += int(metadata["api_stats"].value.get("rate_limited", 0))
    failures = [event for event in result.all_events if event.is_step_failure]
    return RunSummary(
        result.run_id,
        result.success,
        seconds,
        tables,
        failed_steps=[event.step_key for event in failures],
        failure_reasons={event.step_key: failure_reason(event) for event in failures},
        report=report,
        layer_seconds=dict(layer_seconds),
        api_requests=requests,
        rate_limited=rate_limited,
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
    if summary.layer_seconds:
        layers = ", ".join(f"{layer} {s:.1f} s" for layer, s in summary.layer_seconds.items())
        lines.append(f"Time per layer: {layers}.")
    waited = f" ({summary.rate_limited} answered 429 and were waited out)"
    lines.append(f"API requests: {summary.api_requests:,}{waited if summary.rate_limited else ''}.")
    if summary.failed_steps:
        lines.append("Failed steps:")
        for step in summary.failed_steps:
            reason = summary.failure_reasons.get(step)
            lines.append(f"  {step}: {reason}" if reason else f"  {step}")
        lines.append(f"Tracebacks are in the run's event log: {summary.event_log}.")
    if summary.report:
        lines.append(f"Report: {summary.report}")
    lines += [
        "",
        "Where to look next:",
        "  spotify-assets ui                                      the Dagster UI on this instance",
        "  spotify-assets db psql -c 'table gold.artist_summary'  the warehouse in psql",
    ]
    return "\n".join(lines)


def summary_json(summary: RunSummary) -> str:
    """The summary for scripts: one JSON object (see the README's ``run --json``)."""
    return json.dumps(
        {
            "run_id": summary.run_id,
            "status": "SUCCESS" if summary.success else "FAILURE",
            "seconds": round(summary.seconds, 3),
            "tables": [
                {
                    "asset": t.asset,
                    "table": t.table,
                    "rows": t.rows,
                    "checks": {
                        "passed": t.checks_passed,
                        "warned": t.checks_warned,
                        "failed": t.checks_failed,
                    },
                }
                for t in sorted(summary.tables, key=lambda t: t.asset)
            ],
            "failed_steps": [
                {"step": step, "reason": summary.failure_reasons.get(step)}
                for step in summary.failed_steps
            ],
            "layer_seconds": {k: round(v, 3) for k, v in summary.layer_seconds.items()},
            "api_requests": summary.api_requests,
            "rate_limited": summary.rate_limited,
            "report": summary.report,
            "event_log": summary.event_log,
        },
        indent=2,
    )
