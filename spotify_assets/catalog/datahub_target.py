"""The DataHub target as a Dagster resource: DataHub Lite, a DataHub server, or a file of MCPs.

Chosen once in the definitions (:func:`from_environment`); the server's URL and token arrive as
``EnvVar`` so neither shows in the UI's resource config.
"""

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from dagster import ConfigurableResource, EnvVar
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from pydantic import Field

from spotify_assets import settings
from spotify_assets.catalog import datahub_sinks
from spotify_assets.catalog.datahub_sinks import TOKEN_ENV, URL_ENV, DataHubConfigError

RETRIES_ENV = "SPOTIFY_ASSETS_DATAHUB_RETRIES"


class DataHubResource(ConfigurableResource):
    """Where ``catalog/datahub`` sends the catalog."""

    target: Literal["lite", "rest", "file"] = "lite"
    home: str | None = Field(default=None, description="Project home (DataHub Lite's file).")
    url: str | None = Field(default=None, description="DataHub GMS URL (target rest).")
    token: str | None = Field(default=None, description="DataHub access token (target rest).")
    path: str | None = Field(default=None, description="File of MCPs to write (target file).")
    retries: int = Field(default=1, description="Retries of a failed request to the server.")
    timeout_sec: float = Field(default=5.0, description="Connect and read timeout per request.")

    def describe(self) -> str:
        """Where the metadata goes, safe to print (never the token)."""
        if self.target == "rest":
            return f"DataHub at {self.url}"
        if self.target == "file":
            return f"the file {self.path}"
        return f"DataHub Lite ({datahub_sinks.lite_config(self._home())['config']['file']})"

    def _home(self) -> Path:
        return Path(self.home) if self.home else settings.project_home()

    def check(self) -> None:
        """Fail now, before the catalog is built, when the DataHub server does not answer."""
        if self.target == "rest":
            if not self.url:
                raise DataHubConfigError(f"No DataHub URL: set {URL_ENV}.")
            datahub_sinks.check_rest(
                self.url, self.token, retries=self.retries, timeout_sec=self.timeout_sec
            )

    def send(self, mcps: Sequence[MetadataChangeProposalWrapper]) -> str:
        if self.target == "rest":
            if not self.url:
                raise DataHubConfigError(f"No DataHub URL: set {URL_ENV}.")
            return datahub_sinks.send_rest(
                mcps, self.url, self.token, retries=self.retries, timeout_sec=self.timeout_sec
            )
        if self.target == "file":
            if not self.path:
                raise DataHubConfigError("No file to write the MCPs to.")
            return datahub_sinks.write_file(mcps, Path(self.path))
        return datahub_sinks.write_lite(mcps, self._home())


def retries_from_environment() -> int:
    value = os.environ.get(RETRIES_ENV, "").strip() or "1"
    if not value.isdigit():
        raise DataHubConfigError(f"{RETRIES_ENV}={value!r} is not a whole number; e.g. 3.")
    return int(value)


def from_environment() -> DataHubResource:
    """A DataHub server when ``SPOTIFY_ASSETS_DATAHUB_URL`` is set, else DataHub Lite."""
    if os.environ.get(URL_ENV):
        token = EnvVar(TOKEN_ENV) if os.environ.get(TOKEN_ENV) else None
        return DataHubResource(
            target="rest", url=EnvVar(URL_ENV), token=token, retries=retries_from_environment()
        )
    return DataHubResource(target="lite", home=str(settings.project_home()))
