"""Warehouse URLs: checked once up front, described and masked for messages (never the password)."""

import contextlib
import re
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

from spotify_assets.settings import DATABASE_URL_ENV


class DatabaseUrlError(ValueError):
    """A database URL that cannot be used as written; the message masks its password."""


# Everything between "scheme://user:" and the last "@": the password, however malformed.
_RAW_PASSWORD = re.compile(r"^(?P<head>[^:/?#]*://[^:/?#@]*:)(?P<password>.*)@")
_ENCODE_FIX = (
    "Fix: percent-encode the user and password (% as %25, a space as %20, @ as %40, / as %2F), "
    "e.g. python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=\"\"))' PASSWORD"
)
_FORMAT_FIX = "Fix: write it as postgresql://user:password@host:5432/database"


def _mask_raw(url: str) -> str:
    """``url`` with its password masked, even when the URL is malformed (may mask too much)."""
    return _RAW_PASSWORD.sub(r"\g<head>***@", url, count=1)


def _url_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with a postgresql:// URL, and the fix; None if libpq can use it."""
    authority, _, path = url.split("://", 1)[1].split("?", 1)[0].partition("/")
    if authority.count("@") > 1 or "@" in path:
        return "an '@' or '/' in the user or password is not percent-encoded", _ENCODE_FIX
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        reason = str(exc).strip()
        if "percent-encoded token" in reason:
            return "a '%' in it does not start a percent-encoded byte (write % as %25)", _ENCODE_FIX
        if "spaces" in reason:
            return "it contains a space (write a space as %20)", _ENCODE_FIX
        return f"libpq says: {redact_password(reason.splitlines()[0], url)}", _FORMAT_FIX
    return None


def normalize_url(url: str, variable: str = DATABASE_URL_ENV) -> str:
    """Check a URL once, up front, and accept SQLAlchemy-style ones (``postgresql+psycopg2://``).

    libpq's own parse errors quote the offending token, which is often the password: they become
    one line that names ``variable``, masks the password and says how to fix the URL.
    """
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed [ of an IPv6 host
        parts, problem = None, (str(exc), _FORMAT_FIX)
    else:
        scheme = parts.scheme.split("+", 1)[0]
        if scheme == "postgres":
            scheme = "postgresql"
        if scheme != "postgresql":
            raise DatabaseUrlError(
                f"{variable} must be a postgresql:// URL, got a '{parts.scheme}://' one. "
                "Example: postgresql://user:password@localhost:5432/spotify"
            )
        url = urlunsplit(parts._replace(scheme=scheme))
        problem = _url_problem(url)
    if problem is None:
        return url
    raise DatabaseUrlError(
        f"{variable} is not a valid PostgreSQL URL ({_mask_raw(url)}): {problem[0]}. {problem[1]}"
    )


def describe_url(url: str) -> str:
    """``user@host:port/database`` for messages: everything a user needs to check, no password."""
    params = conninfo_to_dict(url)
    host = params.get("host") or "localhost"
    where = (
        f"socket {host}" if str(host).startswith("/") else f"{host}:{params.get('port') or 5432}"
    )
    user = params.get("user")
    # Without a database in the URL, libpq connects to the one named like the user.
    database = params.get("dbname") or user or "default database"
    return f"{user or 'default user'}@{where}/{database}"


def mask_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def redact_password(text: str, url: str | None) -> str:
    """``text`` with the password of ``url`` (if any) masked; never fails, even on a malformed URL."""
    found = _RAW_PASSWORD.match(url or "")
    passwords = {found["password"], unquote(found["password"])} if found else set()
    with contextlib.suppress(psycopg.ProgrammingError):
        passwords.add(conninfo_to_dict(url).get("password") if url else None)
    for password in sorted(filter(None, passwords), key=len, reverse=True):
        text = text.replace(password, "***")
    return text
