"""The Airflow operator that runs one Dagster asset group and succeeds only if that run does.

Kept light for the DAG processor: Dagster's client is imported when a task runs, never when the
DAG file is parsed. The Dagster URL comes from an Airflow connection; no Spotify secret passes here.
"""

from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseHook, BaseOperator, Context
from airflow.sdk.exceptions import AirflowException, AirflowNotFoundException

CONNECTION_ID = "dagster_default"
DEFAULT_URL = "http://127.0.0.1:3000"
TAG_PREFIX = "airflow/"


def dagster_url(conn_id: str) -> str:
    """The webserver URL in connection ``conn_id`` (host, or a full URL, and port), else localhost."""
    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return DEFAULT_URL
    host = (conn.host or "").rstrip("/")
    if not host:
        return DEFAULT_URL
    url = host if "://" in host else f"{conn.schema or 'http'}://{host}"
    return f"{url}:{conn.port}" if conn.port else url


class DagsterAssetGroupOperator(BaseOperator):
    """Launch a Dagster run of exactly one asset group, wait for it, fail when it does.

    The run carries the DAG id, run id and task id as tags (``airflow/dag_id`` ...). Airflow calls
    ``on_kill`` on a task it kills (SIGTERM) or times out; that terminates the run, so no Dagster run
    outlives the task that owns it, and the task then fails as the run ends CANCELED.
    """

    template_fields = ("run_config",)
    ui_color = "#4f43dd"

    def __init__(
        self,
        *,
        group: str,
        run_config: Mapping[str, Any] | None = None,
        conn_id: str = CONNECTION_ID,
        poll_interval: float = 2.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.group = group
        self.run_config = run_config or {}
        self.conn_id = conn_id
        self.poll_interval = poll_interval
        self._dagster = None
        self._run_id: str | None = None

    def execute(self, context: Context) -> str:
        from spotify_assets.airflow.dagster_runs import DagsterRuns

        self._dagster = dagster = DagsterRuns(dagster_url(self.conn_id))
        selection = dagster.group(self.group)
        tags = {
            f"{TAG_PREFIX}dag_id": self.dag_id,
            f"{TAG_PREFIX}run_id": context["run_id"],
            f"{TAG_PREFIX}task_id": self.task_id,
            "spotify_assets/trigger": "airflow",
        }
        self._run_id = run_id = dagster.launch(selection, tags=tags, run_config=self.run_config)
        self.log.info(
            "Dagster run %s materializes the %s group (%d assets): %s",
            run_id,
            self.group,
            len(selection.asset_keys),
            dagster.run_url(run_id),
        )
        try:
            status = dagster.wait(run_id, every=self.poll_interval)
        # Ctrl-C on `airflow dags test`; Airflow itself calls on_kill on SIGTERM and timeouts.
        except KeyboardInterrupt:
            self.on_kill()
            raise
        if status != "SUCCESS":
            failures = dagster.failures(run_id)
            for line in failures:
                self.log.error("Failed: %s", line)
            raise AirflowException(
                f"Dagster run {run_id} of the {self.group} group ended {status}"
                f" ({len(failures)} failures above): {dagster.run_url(run_id)}"
            )
        self.log.info("Dagster run %s succeeded: %s", run_id, dagster.run_url(run_id))
        return run_id

    def on_kill(self) -> None:
        if self._dagster is None or self._run_id is None:
            return
        from spotify_assets.airflow.dagster_runs import FINAL_STATUSES

        try:
            if self._dagster.status(self._run_id) in {*FINAL_STATUSES, "CANCELING"}:
                return
            self._dagster.terminate(self._run_id)
            self.log.warning("Terminated Dagster run %s", self._dagster.run_url(self._run_id))
        except Exception as exc:  # the task is going away: say so, do not mask why
            self.log.error("Could not terminate Dagster run %s: %s", self._run_id, exc)
