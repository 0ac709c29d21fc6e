"""The DDL the IO manager and the SQL-built assets share: statement text, and existence on a real server."""

import re

from spotify_assets.warehouse import ddl
from spotify_assets.warehouse.connection import PostgresResource


def test_swap_drops_then_renames_staging() -> None:
    statements = ddl.swap_statements("gold", "summary", "summary__staging_ab12")
    assert statements == [
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
