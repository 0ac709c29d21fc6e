"""The DDL the IO manager and the SQL-built assets share: statement text, and existence on a real server."""

import re
import threading

from spotify_assets.warehouse import ddl
from spotify_assets.warehouse.connection import PostgresResource


def test_swap_drops_then_renames_staging() -> None:
    statements = ddl.swap_statements("gold", "summary", "summary__staging_ab12")
    assert statements == [
        "select pg_advisory_xact_lock(hashtext('gold.summary'))",
        'drop table if exists "gold"."summary"',
        'alter table "gold"."summary__staging_ab12" rename to "summary"',
    ]


def test_comments_escape_quotes_as_literals() -> None:
    statements = ddl.comment_statements(
        "gold", "summary", "One row per artist's year.", {"id": "Spotify's id."}
    )
    assert statements == [
        """comment on table "gold"."summary" is 'One row per artist''s year.'""",
        """comment on column "gold"."summary"."id" is 'Spotify''s id.'""",
    ]


def test_staging_names_are_fresh_and_fit_postgres_identifiers() -> None:
    long = "t" * 70
    names = {ddl.staging_name(long) for _ in range(20)}
    assert len(names) == 20
    assert all(re.fullmatch("t{40}__staging_[0-9a-f]{8}", name) for name in names)
    assert all(len(name) <= 63 for name in names)


def test_table_exists_sees_tables_and_views_only(postgres: PostgresResource) -> None:
    schema = postgres.schema("bronze")
    postgres.ensure_schema(schema)
    with postgres.get_connection() as conn:
        conn.execute(f'create table "{schema}".ddl_table (id int)')
        conn.execute(f'create view "{schema}".ddl_view as select 1 as id')
        conn.execute(f'create sequence "{schema}".ddl_sequence')
    # The fixture's schema prefix is this test's own; its schemas are dropped afterwards.
    assert postgres.table_exists(schema, "ddl_table")
    assert postgres.table_exists(schema, "ddl_view")
    assert not postgres.table_exists(schema, "ddl_sequence")
    assert not postgres.table_exists(schema, "ddl_missing")


def test_two_writers_swapping_in_a_new_table_take_turns(postgres: PostgresResource) -> None:
    """Two first builds of one table at once: the second waits, then replaces the first's."""
    schema = postgres.schema("gold")
    postgres.ensure_schema(schema)
    errors: list[BaseException] = []

    def swap(conn, staging: str, value: int) -> None:
        conn.execute(f'create table "{schema}"."{staging}" as select {value} as v')
        for statement in ddl.swap_statements(schema, "summary", staging):
            conn.execute(statement)

    with postgres.get_connection() as first:
        swap(first, "summary__staging_1", 1)  # uncommitted, holding the table's turn

        def second() -> None:
            try:
                with postgres.get_connection() as conn:
                    swap(conn, "summary__staging_2", 2)
            except BaseException as exc:
                errors.append(exc)

        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive(), "the second swap did not wait for the first's commit"
    waiting.join(30)
    assert not errors
    with postgres.get_connection() as conn:
        assert conn.execute(f'select v from "{schema}".summary').fetchall() == [(2,)]
        assert conn.execute(
            "select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = %s and relname like 'summary%%'",
            [schema],
        ).fetchall() == [("summary",)]
