"""The DataHub export at its seam: a small hand-built Catalog in, DataHub's own code out.

No database: these check the MCPs, the REST emitter against a stub GMS on loopback, and the
error when no DataHub answers. The whole pipeline's export is in test_datahub_pipeline.py.
"""

import logging
import socket
import time

import pytest
from datahub.emitter.mce_builder import make_dataset_urn

from spotify_assets.catalog.datahub_mcps import catalog_mcps
from spotify_assets.catalog.datahub_sinks import (
    DataHubConfigError,
    DataHubUnavailableError,
    send_rest,
)
from spotify_assets.catalog.urns import dataset_urn
from spotify_assets_tests.catalog.small_catalog import small_catalog
from spotify_assets_tests.catalog.stub_gms import run_stub_gms

TOKEN = "dh-test-token-0123456789abcdef"


def test_dataset_urn_is_the_sdks() -> None:
    for layer, table in (("bronze", "artists"), ("silver", "tracks"), ("gold", "artist_summary")):
        assert dataset_urn(layer, table) == make_dataset_urn(
            "postgres", f"spotify_assets.{layer}.{table}", "PROD"
        )


def test_every_kind_of_aspect_is_built() -> None:
    aspects = {(mcp.entityType, mcp.aspectName) for mcp in catalog_mcps(small_catalog())}
    assert aspects == {
        ("dataset", "datasetProperties"),
        ("dataset", "schemaMetadata"),
        ("dataset", "ownership"),
        ("dataset", "globalTags"),
        ("dataset", "subTypes"),
        ("dataset", "upstreamLineage"),
        ("dataset", "datasetProfile"),
        ("assertion", "assertionInfo"),
        ("assertion", "assertionRunEvent"),
        ("chart", "chartInfo"),
        ("dashboard", "dashboardInfo"),
        ("dashboard", "ownership"),
        ("dataFlow", "dataFlowInfo"),
        ("dataJob", "dataJobInfo"),
        ("dataJob", "dataJobInputOutput"),
    }


def test_rest_export_reaches_a_gms_with_the_token_as_bearer_only(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    mcps = catalog_mcps(small_catalog())
    caplog.set_level(logging.DEBUG)
    with run_stub_gms() as gms:
        assert send_rest(mcps, gms.url, TOKEN, retries=0) == gms.url
    paths = [(r.method, r.path) for r in gms.requests]
    assert paths[0] == ("GET", "/config")
    assert set(paths[1:]) == {("POST", "/aspects?action=ingestProposalBatch")}
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in gms.requests)
    sent = {(p["entityUrn"], p["aspectName"]) for p in gms.proposals()}
    assert sent == {(mcp.entityUrn, mcp.aspectName) for mcp in mcps}
    assert len(gms.proposals()) == len(mcps)
    out, err = capfd.readouterr()
    assert TOKEN not in out + err + caplog.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_gms_that_is_down_fails_fast_naming_the_url_not_the_token() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    with pytest.raises(DataHubUnavailableError) as raised:
        send_rest(catalog_mcps(small_catalog()), url, TOKEN, retries=1)
    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert url in message and "SPOTIFY_ASSETS_DATAHUB_URL" in message
    assert TOKEN not in message and "\n" not in message


def test_a_url_that_is_not_http_is_a_configuration_error() -> None:
    with pytest.raises(DataHubConfigError, match="SPOTIFY_ASSETS_DATAHUB_URL"):
        send_rest([], "localhost:8080", None)
