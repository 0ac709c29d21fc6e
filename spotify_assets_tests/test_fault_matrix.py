"""The fault matrix: the main job (every asset) against the sandbox on a bad day, compared with a
fault-free run of the same catalog.

For each fault the run must end as documented: 429 storms (standard and ``QUOTA_EXCEEDED``
bodies, a small Retry-After), 5xx bursts and dropped connections at 5% and 20% of requests, and
tokens expiring mid-run complete with silver and gold equal, table by table, in row count and
content checksum; a Retry-After beyond the client's cap fails the run quickly, saying when to
retry, without another call. The sandbox's request log shows that every thread honoured each
Retry-After and that each token expiry cost one token request. Each test records the requests it
used (``requests``, against the fault-free ``baseline_requests``) in its user properties (in the
junit XML with ``-o junit_family=legacy``).

The fault-free baseline is computed once per module. Killed runs, a stopped database and
concurrent runs are covered elsewhere (assets/test_pipeline_seams.py and the e2e tests).
"""

import itertools
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance

from spotify_assets.sandbox import Faults, SandboxServer
from spotify_assets.sandbox.served_stats import Served
from spotify_assets.warehouse.connection import PostgresResource
from spotify_assets_tests.assets.checksums import checksums
from spotify_assets_tests.conftest import drop_schemas
from spotify_assets_tests.fixtures.pipeline import run_main_job

pytestmark = pytest.mark.postgres

# Shorter backoff than the default (0.5 s doubling up to 30 s): what is tested is that the run
# recovers, not how long it waits; every other setting is the default.
FAST_BACKOFF = {"backoff_initial_seconds": 0.05, "backoff_max_seconds": 0.5}
# A request already on its way when a 429 is answered may still arrive after it.
IN_FLIGHT = 0.25
TOKEN = "POST /api/token"


@pytest.fixture(scope="module")
def baseline(
    sandbox: SandboxServer, postgres_url: str | None, postgres_home: Path, tmp_path_factory
) -> Iterator[dict]:
    """The fault-free run: its silver and gold checksums and the requests it took."""
    postgres = PostgresResource(
        url=postgres_url, home=str(postgres_home), schema_prefix=f"f{uuid.uuid4().hex[:10]}_"
    )
    sandbox.reset()
    try:
        result = run_main_job(
            sandbox, postgres, report_dir=tmp_path_factory.mktemp("report"), **FAST_BACKOFF
        )
        assert result.success
        yield {"checksums": checksums(postgres), "requests": sandbox.stats()["total"]}
    finally:
        drop_schemas(postgres.target_url, postgres.schema_prefix)


def _run(server: SandboxServer, postgres: PostgresResource, tmp_path: Path, **config):
    instance = DagsterInstance.ephemeral()
    result = run_main_job(
        server, postgres, report_dir=tmp_path, instance=instance, **{**FAST_BACKOFF, **config}
    )
    return result, instance, time.time()


def _record(request: pytest.FixtureRequest, **figures: object) -> None:
    request.node.user_properties.extend(figures.items())


def _record_run(request, baseline: dict, server: SandboxServer, result) -> None:
    stats = server.stats()
    _record(
        request,
        requests=stats["total"],
        baseline_requests=baseline["requests"],
        statuses=stats["statuses"],
        dropped=stats["dropped"],
        step_retries=sum(
            e.event_type == DagsterEventType.STEP_UP_FOR_RETRY for e in result.all_events
        ),
    )


def _not_honoured(log: list[Served]) -> list[tuple[Served, Served]]:
    """(429, request) pairs where a request came while the 429's Retry-After still ran."""
    limited = [s for s in log if s.status == 429 and s.retry_after]
    return [
        (first, later)
        for first in limited
        for later in log
        if first.at + IN_FLIGHT < later.at < first.at + float(first.retry_after)
    ]


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param(Faults(rate_limit=20, rate_limit_window=1.0), id="standard"),
        pytest.param(
            Faults(
                rate_limit=20, rate_limit_window=1.0, rate_limit_shapes=("quota",), retry_after=1
            ),
            id="quota_exceeded",
        ),
    ],
)
def test_a_429_storm_is_waited_out_by_every_thread_and_changes_nothing(
    sandbox: SandboxServer, postgres, tmp_path, baseline, faults, request
) -> None:
    sandbox.set_faults(faults)
    result, *_ = _run(sandbox, postgres, tmp_path)
    _record_run(request, baseline, sandbox, result)

    assert result.success
    assert checksums(postgres) == baseline["checksums"]
    log = sandbox.requests()
    assert sum(s.status == 429 for s in log) >= 3, "the storm should have hit more than once"
    assert _not_honoured(log) == []


@pytest.mark.parametrize(
    ("faults", "cap"),
    [
        pytest.param(Faults(rate_limit=3, retry_after=30), 1.0, id="beyond_a_small_cap"),
        pytest.param(Faults(rate_limit=3, rate_limit_shapes=("large",)), 60.0, id="a_day"),
        pytest.param(Faults(rate_limit=3, rate_limit_shapes=("quota",)), 60.0, id="quota_a_day"),
    ],
)
def test_a_retry_after_beyond_the_cap_fails_the_run_at_once_saying_when(
    make_sandbox, postgres, tmp_path, faults, cap, request
) -> None:
    # A server of its own: the client's 429 gate stays closed for its Retry-After, per API URL.
    server = make_sandbox(faults=faults)
    result, _, ended = _run(server, postgres, tmp_path, max_retry_after_seconds=cap)
    log = server.requests()
    _record(request, requests=len(log))

    assert not result.success
    first = next(s for s in log if s.status == 429)
    assert ended - first.at < cap + 5
    # Nothing after it but requests that were already on their way (and got a 429 too).
    after = log[log.index(first) + 1 :]
    assert all(s.status == 429 and s.at - first.at < IN_FLIGHT for s in after), after
    (failure, *_) = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    message = str(failure.event_specific_data.error)
    when = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", message)
    assert when, message
    retry_at = datetime.strptime(when.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    expected = first.at + int(first.retry_after)
    assert abs(retry_at.timestamp() - expected) < 5, message
    assert not [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param(Faults(error_rate=0.05), id="5xx_5pct"),
        pytest.param(Faults(error_rate=0.2), id="5xx_20pct"),
        pytest.param(Faults(drop_rate=0.05), id="drops_5pct"),
        pytest.param(Faults(drop_rate=0.2), id="drops_20pct"),
    ],
)
def test_5xx_bursts_and_dropped_connections_change_nothing(
    sandbox: SandboxServer, postgres, tmp_path, baseline, faults, request
) -> None:
    sandbox.set_faults(faults)
    result, *_ = _run(sandbox, postgres, tmp_path)
    _record_run(request, baseline, sandbox, result)

    assert result.success
    assert checksums(postgres) == baseline["checksums"]
    stats = sandbox.stats()
    assert stats["server_errors"] + stats["dropped"] > 0


def _step_starts(instance: DagsterInstance, run_id: str) -> list[float]:
    return [
        entry.timestamp
        for entry in instance.all_logs(run_id, of_type=DagsterEventType.STEP_START)
        if entry.step_key and entry.step_key.startswith("bronze__")
    ]


def test_tokens_expiring_mid_run_cost_one_token_request_per_expiry(
    sandbox: SandboxServer, postgres, tmp_path, baseline, request
) -> None:
    ttl = 1
    # Latency stretches discographies (58 calls on 4 threads) past a token's lifetime.
    sandbox.set_faults(Faults(token_ttl=ttl, latency=0.1))
    result, instance, *_ = _run(sandbox, postgres, tmp_path)
    _record_run(request, baseline, sandbox, result)

    assert result.success
    assert checksums(postgres) == baseline["checksums"]
    log = sandbox.requests()
    starts = _step_starts(instance, result.run_id)
    tokens_by_step: dict[float, list[float]] = {}
    for served in log:
        if served.endpoint == TOKEN:
            step = max(start for start in starts if start <= served.at)
            tokens_by_step.setdefault(step, []).append(served.at)
    # Each bronze client fetches its first token; any other is a refresh, which the client makes
    # shortly before expiry (10% of the lifetime early), once for all its threads.
    refreshes = sum(len(times) - 1 for times in tokens_by_step.values())
    assert refreshes >= 1, "no token expired mid-step; lengthen the run"
    gaps = [b - a for times in tokens_by_step.values() for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.9 * ttl - 0.05, gaps
    # A request in flight across an expiry may get a 401 (then the one refresh); no more.
    unauthorized = sum(s.status == 401 for s in log)
    assert unauthorized <= refreshes * 4
    _record(request, token_refreshes=refreshes, unauthorized=unauthorized)
