"""The SQL files under ``sql/``, loaded by relative name and composed with quoted identifiers.

Files use ``{bronze}``, ``{silver}`` and ``{gold}`` (or other names the caller passes) for schema and
table identifiers, which psycopg quotes, and ``%(name)s`` for values, which travel as driver
parameters. A literal ``%`` is written ``%%`` and a literal brace ``{{``.
"""

from collections.abc import Mapping
from pathlib import Path

from psycopg import sql

SQL_ROOT = Path(__file__).resolve().parents[2] / "sql"


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
