"""The Postgres resource: connections, SQL files with quoted identifiers and bound values, errors.

The embedded server's life cycle and the `db` commands are in warehouse/test_embedded_postgres.py.
"""

import threading
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from spotify_assets.warehouse import sql_files
from spotify_assets.warehouse.connection import DatabaseUnavailableError, PostgresResource
from spotify_assets.warehouse.urls import describe_url, normalize_url


def test_unreachable_server_error_names_target_but_not_password(tmp_path) -> None:
    resource = PostgresResource(
        url="postgresql://alice:hunter2secret@127.0.0.1:1/warehouse", home=str(tmp_path)
    )
    with pytest.raises(DatabaseUnavailableError) as error, resource.get_connection():
        pass
    message = str(error.value)
    assert "alice@127.0.0.1:1/warehouse" in message
    assert "SPOTIFY_ASSETS_DATABASE_URL" in message
    assert "hunter2secret" not in message
    with pytest.raises(DatabaseUnavailableError) as error, resource.get_adbc_connection():
        pass
    assert "alice@127.0.0.1:1/warehouse" in str(error.value) and "hunter2secret" not in str(
        error.value
    )


@pytest.mark.postgres
def test_missing_database_error_names_it(postgres: PostgresResource, tmp_path) -> None:
    parts = urlsplit(postgres.target_url)
    wrong = PostgresResource(
        url=urlunsplit(parts._replace(path="/no_such_database")), home=str(tmp_path)
    )
    with pytest.raises(DatabaseUnavailableError) as error, wrong.get_connection():
        pass
    assert "/no_such_database" in str(error.value)
    assert "database 'no_such_database' does not exist" in str(error.value)


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("postgresql+psycopg2://u:p@h:5/d", "postgresql://u:p@h:5/d"),
        ("postgres://u@h/d", "postgresql://u@h/d"),
        ("postgresql://u@/d?host=/tmp/sock", "postgresql://u@/d?host=/tmp/sock"),
    ],
)
def test_urls_are_normalized(url: str, normalized: str) -> None:
    assert normalize_url(url) == normalized


def test_non_postgres_url_is_refused_with_an_example() -> None:
    with pytest.raises(ValueError, match="must be a postgresql:// URL, got a 'mysql://' one"):
        normalize_url("mysql://u@h/d")


def test_describe_url_for_socket_and_host() -> None:
    assert (
        describe_url("postgresql://postgres:@/spotify_assets?host=/tmp/pg")
        == "postgres@socket /tmp/pg/spotify_assets"
    )
    assert describe_url("postgresql://u:secret@db.example:6543/w") == "u@db.example:6543/w"


@pytest.mark.postgres
def test_connection_commits_on_success_rolls_back_on_error_and_closes(
    postgres: PostgresResource,
) -> None:
    schema = postgres.schema("bronze")
    postgres.ensure_schema(schema)
    with postgres.get_connection() as conn:
        conn.execute(f'create table "{schema}".t (v int)')
        conn.execute(f'insert into "{schema}".t values (1)')
    with pytest.raises(RuntimeError), postgres.get_connection() as conn:
        conn.execute(f'insert into "{schema}".t values (2)')
        raise RuntimeError("boom")
    assert conn.closed
    with postgres.get_connection() as conn:
        assert conn.execute(f'select v from "{schema}".t').fetchall() == [(1,)]


@pytest.mark.postgres
def test_run_sql_file_quotes_identifiers_and_binds_values(
    postgres: PostgresResource, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "silver").mkdir()
    (tmp_path / "silver" / "build_things.sql").write_text(
        "-- Builds {silver}.things; expects %(name)s and %(pattern)s.\n"
        "create table {silver}.{table} (name text, matched boolean);\n"
        "insert into {silver}.{table} values (%(name)s, %(name)s like %(pattern)s);\n"
    )
    monkeypatch.setattr(sql_files, "SQL_ROOT", tmp_path)
    postgres.ensure_schema(postgres.schema("silver"))
    tricky = "Robert'); drop table students;--"
    postgres.run_sql_file(
        "silver/build_things",
        {"name": tricky, "pattern": "Robert%%"},
        identifiers={"table": "Things Table"},
    )
    with postgres.get_connection() as conn:
        rows = conn.execute(
            f'select name, matched from "{postgres.schema("silver")}"."Things Table"'
        ).fetchall()
    assert rows == [(tricky, True)]


def test_sql_file_names_stay_inside_sql_root() -> None:
    with pytest.raises(sql_files.SqlFileNotFoundError, match=r"No SQL file '\.\./pyproject'"):
        sql_files.sql_path("../pyproject")
    with pytest.raises(sql_files.SqlFileNotFoundError, match="No SQL file 'silver/nope'"):
        sql_files.sql_path("silver/nope")


@pytest.mark.postgres
def test_ensure_schema_is_safe_when_callers_race(postgres: PostgresResource) -> None:
    errors: list[Exception] = []

    def create() -> None:
        try:
            postgres.ensure_schema(postgres.schema("raced"))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(postgres.target_url) as conn:
        assert conn.execute(
            "select count(*) from pg_namespace where nspname = %s", [postgres.schema("raced")]
        ).fetchone() == (1,)
