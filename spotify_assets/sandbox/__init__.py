"""The offline Spotify sandbox: a Spotify-compatible Web API over a generated catalog.

It is the project's default when no Spotify credentials are stored (:mod:`.embedded`), the ground
for every test, and a load generator for benchmarks. Clients only ever see base URLs.
"""

from spotify_assets.sandbox.catalog import Catalog, UnknownId
from spotify_assets.sandbox.faults import RATE_LIMIT_SHAPES, Faults
from spotify_assets.sandbox.ids import InvalidId
from spotify_assets.sandbox.server import SandboxServer, run_sandbox
from spotify_assets.sandbox.server_config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    SandboxConfig,
)

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "RATE_LIMIT_SHAPES",
    "Catalog",
    "Faults",
    "InvalidId",
    "SandboxConfig",
    "SandboxServer",
    "UnknownId",
    "run_sandbox",
]
