"""How one sandbox server is set up: app mode, catalog, credentials, token lifetime, faults."""

import ipaddress
from dataclasses import dataclass, field

from spotify_assets.sandbox.catalog import DEFAULT_ARTISTS, DEFAULT_SEED, MAX_ARTISTS
from spotify_assets.sandbox.faults import Faults
from spotify_assets.sandbox.modes import MODES

# Documented, not secret: anyone may use them against a sandbox.
DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"


@dataclass(frozen=True)
class SandboxConfig:
    """A sandbox server's settings; the defaults are the demo catalog in extended mode.

    Attributes:
        mode: "extended" (Extended Quota Mode app) or "development" (2026 Development Mode app).
        artists: catalog size; 20 with the default seed is the demo catalog.
        seed: the catalog's seed; the same seed and size always give the same catalog.
        client_id, client_secret: the only credentials the token endpoint accepts.
        token_ttl: ``expires_in`` of issued tokens, in seconds.
        faults: faults active from the start (changeable at runtime).
        port: TCP port; 0 picks a free one.
        host: the IPv4 address to listen on; anything but loopback exposes the sandbox to others.
    """

    mode: str = "extended"
    artists: int = DEFAULT_ARTISTS
    seed: int = DEFAULT_SEED
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    token_ttl: int = 3600
    faults: Faults = field(default_factory=Faults)
    port: int = 0
    host: str = "127.0.0.1"

    @property
    def exposed(self) -> bool:
        """Whether it listens on an address other machines may reach."""
        return not ipaddress.ip_address(self.host).is_loopback

    def __post_init__(self) -> None:
        problems = []
        if self.mode not in MODES:
            problems.append(f"mode must be one of {', '.join(MODES)} (got {self.mode!r})")
        if not 1 <= self.artists <= MAX_ARTISTS:
            problems.append(f"artists must be between 1 and {MAX_ARTISTS:,} (got {self.artists})")
        if self.token_ttl < 1:
            problems.append(f"token_ttl must be at least 1 second (got {self.token_ttl})")
        if not 0 <= self.port <= 65535:
            problems.append(f"port must be between 0 (any free port) and 65535 (got {self.port})")
        try:
            ipaddress.IPv4Address(self.host)
        except ValueError:
            problems.append(f"host must be an IPv4 address such as 127.0.0.1 (got {self.host!r})")
        if not self.client_id or not self.client_secret:
            problems.append("client_id and client_secret must not be empty")
        if not isinstance(self.faults, Faults):
            problems.append(f"faults must be a Faults (got {type(self.faults).__name__})")
        if problems:
            raise ValueError("; ".join(problems))


DEFAULT_CONFIG = SandboxConfig()
