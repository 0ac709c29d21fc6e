"""The Dagster side of an Airflow task: launch one asset group as a run, watch it, stop it.

It talks to a running webserver's GraphQL API (``spotify-assets ui`` or any Dagster deployment)
through dagster-graphql's client; what the client has no method for (a group's asset keys, a run's
failed steps) goes through the same transport. Nothing here holds a Spotify secret: the run's
resources read the project's credentials store on the Dagster side.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError
from gql import Client, GraphQLRequest, gql
from gql.transport.requests import RequestsHTTPTransport

# Dagster's implicit job over every asset of a repository: any asset selection runs in it.
ASSET_JOB = "__ASSET_JOB"
FINAL_STATUSES = frozenset({"SUCCESS", "FAILURE", "CANCELED"})

_ASSET_NODES = gql(
    """{ assetNodes { assetKey { path } groupName isMaterializable
         jobs { name repository { name location { name } } } } }"""
)
_FAILURES = gql(
    """query($runId: ID!) { logsForRun(runId: $runId) {
         __typename
         ... on EventConnection { events { __typename
           ... on ExecutionStepFailureEvent { stepKey error { message cause { message } } }
           ... on RunFailureEvent { message } } }
         ... on PythonError { message } } }"""
)


class DagsterRunError(Exception):
    """The Dagster side refused or failed: the message says what and where to look."""


@dataclass(frozen=True)
class GroupSelection:
    location: str
    repository: str
    asset_keys: tuple[tuple[str, ...], ...]


class DagsterRuns:
    """One Dagster webserver, by its URL (``http://127.0.0.1:3000``)."""

    def __init__(self, url: str, *, timeout: int = 60) -> None:
        self.url = url.rstrip("/")
        transport = RequestsHTTPTransport(url=f"{self.url}/graphql", timeout=timeout, retries=2)
        self._client = DagsterGraphQLClient(urlsplit(self.url).hostname or "", transport=transport)
        self._gql = Client(transport=transport)

    def run_url(self, run_id: str) -> str:
        return f"{self.url}/runs/{run_id}"

    def _query(self, document: GraphQLRequest, **variables: Any) -> dict[str, Any]:
        try:
            return self._gql.execute(GraphQLRequest(document, variable_values=variables))
        except Exception as exc:  # gql raises transport, HTTP and GraphQL errors alike
            raise DagsterRunError(f"Dagster at {self.url} did not answer: {exc}") from exc

    def group(self, group: str) -> GroupSelection:
        """The group's materializable assets, as the webserver knows them now."""
        nodes = [
            node
            for node in self._query(_ASSET_NODES)["assetNodes"]
            if node["groupName"] == group and node["isMaterializable"] and node["jobs"]
        ]
        if not nodes:
            raise DagsterRunError(f"Dagster at {self.url} has no asset group {group!r} to run.")
        repositories = {
            (job["repository"]["location"]["name"], job["repository"]["name"])
            for node in nodes
            for job in node["jobs"]
        }
        if len(repositories) != 1:
            raise DagsterRunError(
                f"The {group!r} assets are in {len(repositories)} code locations; one run needs one."
            )
        ((location, repository),) = repositories
        keys = tuple(sorted(tuple(node["assetKey"]["path"]) for node in nodes))
        return GroupSelection(location, repository, keys)

    def launch(
        self, selection: GroupSelection, *, tags: Mapping[str, str], run_config: Mapping[str, Any]
    ) -> str:
        try:
            return self._client.submit_job_execution(
                ASSET_JOB,
                repository_location_name=selection.location,
                repository_name=selection.repository,
                run_config=dict(run_config),
                tags=dict(tags),
                asset_selection=[list(key) for key in selection.asset_keys],
            )
        except DagsterGraphQLClientError as exc:
            raise DagsterRunError(f"Dagster at {self.url} refused the run: {exc}") from exc

    def status(self, run_id: str) -> str:
        try:
            return self._client.get_run_status(run_id).value
        except DagsterGraphQLClientError as exc:
            raise DagsterRunError(f"Dagster at {self.url} lost run {run_id}: {exc}") from exc

    def wait(self, run_id: str, *, every: float) -> str:
        """Poll until the run ends; its final status."""
        while (status := self.status(run_id)) not in FINAL_STATUSES:
            time.sleep(every)
        return status

    def failures(self, run_id: str) -> list[str]:
        """One line per failed step (``step: error``), then the run's own failure message."""
        events = self._query(_FAILURES, runId=run_id)["logsForRun"].get("events", [])
        lines = []
        for event in events:
            if event["__typename"] == "ExecutionStepFailureEvent":
                error = event["error"] or {}
                causes = []
                while error:
                    causes.append(error["message"].strip())
                    error = error.get("cause")
                lines.append(f"{event['stepKey']}: {' <- '.join(causes)}")
            elif event["__typename"] == "RunFailureEvent":
                lines.append(f"run: {event['message']}")
        return lines

    def terminate(self, run_id: str) -> None:
        self._client.terminate_run(run_id)
