"""Where the project keeps its state, read from the environment when asked (never at import)."""

import os
from pathlib import Path

HOME_ENV = "SPOTIFY_ASSETS_HOME"
DATABASE_URL_ENV = "SPOTIFY_ASSETS_DATABASE_URL"
WATCHLIST_ENV = "SPOTIFY_ASSETS_WATCHLIST"

WAREHOUSE_DATABASE = "spotify_assets"


def project_home() -> Path:
    """The folder holding the embedded database, reports and other run state."""
    configured = os.environ.get(HOME_ENV)
    home = Path(configured).expanduser() if configured else Path.home() / ".spotify_assets"
    return home.resolve()


def ensure_home(home: Path) -> Path:
    """Create the project home, or tighten it, so only its owner may read it.

    It holds the database, Dagster's logs, the report and the sandbox's secret. Under root the
    embedded PostgreSQL runs as another system user, which must still pass through (0711).
    """
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    home.chmod(0o711 if os.name == "posix" and os.geteuid() == 0 else 0o700)
    return home


def private_dir(path: Path) -> Path:
    """A folder the project writes (Dagster's instance, the report), for its owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def database_url() -> str | None:
    """The PostgreSQL URL the user chose, or None for the embedded server."""
    return os.environ.get(DATABASE_URL_ENV) or None


def watchlist_path() -> Path | None:
    """The watch list the user chose, or None for the packaged default."""
    configured = os.environ.get(WATCHLIST_ENV)
    return Path(configured).expanduser().resolve() if configured else None
