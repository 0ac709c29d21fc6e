"""Where the catalog's metadata change proposals go: DataHub Lite, a DataHub server, or a file.

DataHub Lite is DataHub's embedded catalog: a SQLite file in the project home, written through
Lite's own Python API (what ``datahub ingest``'s ``datahub-lite`` sink calls). Its command line
(``datahub lite serve``/``ls``/``get``) reads ``~/.datahubenv``, so :func:`lite_cli_env` gives it a
home of its own inside the project home: the user's real ``~`` is never read nor written.
"""

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import yaml
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter, EmitMode
from datahub.ingestion.graph.config import ClientMode
from datahub.ingestion.sink.file import write_metadata_file
from datahub.lite.lite_local import DataHubLiteLocal
from datahub.lite.lite_util import get_datahub_lite

from spotify_assets import settings

URL_ENV = "SPOTIFY_ASSETS_DATAHUB_URL"
TOKEN_ENV = "SPOTIFY_ASSETS_DATAHUB_TOKEN"
LITE_TYPE = "sqlite"  # DataHub Lite 1.7's default backend; DuckDB would be another extra


class DataHubUnavailableError(RuntimeError):
    """A DataHub server could not be reached or refused the metadata; names the URL, never a token."""


class DataHubConfigError(ValueError):
    """An unusable DataHub setting; the message names it and the fix."""


def datahub_dir(home: Path) -> Path:
    """``<home>/datahub``: DataHub Lite's database and the home its command line is given."""
    return settings.private_dir(home / "datahub")


def lite_config(home: Path, read_only: bool = False) -> dict:
    """DataHub Lite's config (``LiteLocalConfig``) for the project home's catalog."""
    file = datahub_dir(home) / "lite.db"
    config: dict = {"file": str(file), "read_only": read_only}
    if not read_only:
        # One fsync per aspect made an export of the demo catalog take ~15 s; WAL with
        # synchronous=NORMAL is ~10x faster, and a catalog lost to a power cut is sent again.
        config["options"] = {"journal_mode": "WAL", "synchronous": "NORMAL"}
    return {"type": LITE_TYPE, "config": config}


def open_lite(home: Path, read_only: bool = False) -> DataHubLiteLocal:
    return get_datahub_lite(lite_config(home, read_only), read_only=read_only)


def write_lite(mcps: Sequence[MetadataChangeProposalWrapper], home: Path) -> str:
    lite = open_lite(home)
    try:
        for mcp in mcps:
            lite.write(mcp)
    finally:
        lite.close()
    return lite_config(home)["config"]["file"]


def lite_cli_env(home: Path) -> dict[str, str]:
    """The environment for ``datahub lite ...``: HOME inside the project home, its .datahubenv
    pointing at the project's catalog, telemetry off (the sandbox is offline)."""
    cli_home = datahub_dir(home) / "cli_home"
    cli_home.mkdir(mode=0o700, exist_ok=True)
    config = {"gms": {"server": "http://127.0.0.1:8080"}, "lite": lite_config(home)}
    (cli_home / ".datahubenv").write_text(yaml.safe_dump(config))
    return {**os.environ, "HOME": str(cli_home), "DATAHUB_TELEMETRY_ENABLED": "false"}


def write_file(mcps: Sequence[MetadataChangeProposalWrapper], path: Path) -> str:
    """A JSON file of MCPs for a later ``datahub ingest``, written whole or not at all."""
    path = path.expanduser().resolve()
    if not path.parent.is_dir():
        raise DataHubConfigError(f"Cannot write {path}: folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.partial")
    write_metadata_file(partial, list(mcps))
    partial.replace(path)
    return str(path)


def rest_emitter(url: str, token: str | None, retries: int, timeout_sec: float):
    """The SDK's REST emitter, pinned: Rest.li ingestion, synchronous writes to primary storage."""
    return DatahubRestEmitter(
        url,
        token=token,
        connect_timeout_sec=timeout_sec,
        read_timeout_sec=timeout_sec,
        retry_max_times=retries,
        openapi_ingestion=False,
        client_mode=ClientMode.INGESTION,
        default_emit_mode=EmitMode.SYNC_PRIMARY,
    )


@contextmanager
def _explained(url: str, token: str | None) -> Iterator[None]:
    """Any failure of the SDK against ``url`` as one line naming the URL, never the token."""
    if not url.startswith(("http://", "https://")):
        raise DataHubConfigError(
            f"{URL_ENV}={url!r} is not a DataHub URL; e.g. {URL_ENV}=http://localhost:8080"
        )
    try:
        yield
    except Exception as exc:  # the SDK raises several kinds; each ends as the same one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if token:
            reason = reason.replace(token, "***")
        raise DataHubUnavailableError(
            f"DataHub at {url} could not take the catalog ({type(exc).__name__}: {reason}); "
            f"start it or correct {URL_ENV}, then export again (`spotify-assets catalog export`)."
        ) from None


def check_rest(url: str, token: str | None, *, retries: int = 1, timeout_sec: float = 5.0) -> None:
    """Is a DataHub GMS answering at ``url``: asked before the catalog is built, to fail fast."""
    with _explained(url, token), rest_emitter(url, token, retries, timeout_sec) as emitter:
        emitter.test_connection()


def send_rest(
    mcps: Sequence[MetadataChangeProposalWrapper],
    url: str,
    token: str | None,
    *,
    retries: int = 1,
    timeout_sec: float = 5.0,
) -> str:
    """Everything to a DataHub server; any failure becomes one line naming the URL."""
    with _explained(url, token), rest_emitter(url, token, retries, timeout_sec) as emitter:
        emitter.test_connection()
        emitter.emit_mcps(list(mcps))
    return url
