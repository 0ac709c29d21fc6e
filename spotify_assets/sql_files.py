"""The SQL files under ``sql/``, loaded by relative name and composed with quoted identifiers.

``sql/`` lives at the top of the repository; an installed wheel carries it inside the package as
``spotify_assets/sql`` (``setup.py`` maps it there), so the loader looks there first.

Files use ``{bronze}``, ``{silver}`` and ``{gold}`` (or other names the caller passes) for schema and
table identifiers, which psycopg quotes, and ``%(name)s`` for values, which travel as driver
parameters. A literal ``%`` is written ``%%`` and a literal brace ``{{``.
"""

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from psycopg import sql

# Anchored on the top-level package, not on this module, so the loader may move within it.
_PACKAGE = Path(str(files("spotify_assets"))).resolve()
_INSTALLED, _CHECKOUT = _PACKAGE / "sql", _PACKAGE.parent / "sql"
SQL_ROOT = _INSTALLED if _INSTALLED.is_dir() else _CHECKOUT


class SqlFileNotFoundError(FileNotFoundError):
    pass


def sql_path(name: str) -> Path:
    path = (SQL_ROOT / f"{name}.sql").resolve()
    if SQL_ROOT not in path.parents or not path.is_file():
        raise SqlFileNotFoundError(
            f"No SQL file '{name}' (looked for {path}). Names are relative to {SQL_ROOT} without '.sql', "
            "e.g. 'silver/build_artists'."
        )
    return path


def load_sql(name: str, identifiers: Mapping[str, str]) -> sql.Composed:
    """The file ``sql/<name>.sql`` with each ``{identifier}`` replaced by its quoted name."""
    text = sql_path(name).read_text(encoding="utf-8")
    return sql.SQL(text).format(
        **{key: sql.Identifier(value) for key, value in identifiers.items()}
    )
