"""Where the project keeps its state, read from the environment when asked (never at import)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

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


API_URL_ENV = "SPOTIFY_ASSETS_API_URL"
ACCOUNTS_URL_ENV = "SPOTIFY_ASSETS_ACCOUNTS_URL"


class SettingsError(ValueError):
    """An environment variable holds something unusable; the message names it and the fix."""


def spotify_urls() -> dict[str, str]:
    """The Web API and token URLs the user set (``api_url``/``accounts_url``), each validated.

    Like spotipy's environment settings, these point a credentialed run at any Spotify-compatible
    server (a sandbox elsewhere, a proxy); unset, the resource's defaults (Spotify) apply.
    """
    urls = {}
    for field, name, example in (
        ("api_url", API_URL_ENV, "https://api.spotify.com/v1"),
        ("accounts_url", ACCOUNTS_URL_ENV, "https://accounts.spotify.com/api/token"),
    ):
        value = os.environ.get(name, "").strip()
        if value:
            urls[field] = _checked_url(name, value, example)
    return urls


MAX_CONCURRENCY_ENV = "SPOTIFY_ASSETS_MAX_CONCURRENCY"
MAX_CONCURRENCY_LIMIT = 32  # the resource field's bound: more only grows the 429 penalty


def max_concurrency() -> int | None:
    """Spotify requests in flight at once that the user chose, or None for the resource default."""
    value = os.environ.get(MAX_CONCURRENCY_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_CONCURRENCY_LIMIT:
        raise SettingsError(
            f"{MAX_CONCURRENCY_ENV}={value!r} is not a number of requests from 1 to "
            f"{MAX_CONCURRENCY_LIMIT}; e.g. {MAX_CONCURRENCY_ENV}=4"
        )
    return int(value)


def _checked_url(name: str, value: str, example: str) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        problem = str(exc)
    else:
        problem = (
            "the scheme must be http or https"
            if parts.scheme not in ("http", "https")
            else "it names no host"
            if not parts.hostname
            else "it must not carry a user or password"
            if "@" in parts.netloc
            else "it must not carry a query or fragment"
            if parts.query or parts.fragment
            else None
        )
        if problem is None:
            return value.rstrip("/")
    # Never echo a password: whatever precedes the last "@" is masked.
    shown = "***@" + value.rsplit("@", 1)[-1] if "@" in value else value
    raise SettingsError(f"{name}={shown!r} is not a usable URL ({problem}); e.g. {name}={example}")
