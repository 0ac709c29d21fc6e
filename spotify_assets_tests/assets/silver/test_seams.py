"""Correctness at the seams for the SQL layers: silver and gold rebuilt change nothing, and a
development-mode catalog gives the same silver rows as an extended one, fields it lacks aside.

The whole-pipeline versions of these (sandbox in both modes, the default catalog) belong with the
main job; these pin the SQL's part on a small catalog with every problem in it.
"""

import pytest
from dagster import DagsterInstance

from spotify_assets.assets.gold import GOLD_SPECS, gold_assets
from spotify_assets.assets.silver import SILVER_SPECS, silver_assets
from spotify_assets_tests.assets.bronze_rows import development, select_rows, write_bronze
from spotify_assets_tests.assets.runs import build, failed_checks
from spotify_assets_tests.assets.silver.catalog import catalog

pytestmark = pytest.mark.postgres

ALL_SPECS = (*SILVER_SPECS, *GOLD_SPECS)


def _snapshot(postgres) -> dict[str, list[tuple]]:
    return {
        f"{spec.layer}.{spec.name}": select_rows(postgres, spec.layer, spec.name)
        for spec in ALL_SPECS
    }


def test_building_silver_and_gold_twice_changes_nothing(postgres):
    write_bronze(postgres, catalog())
    instance = DagsterInstance.ephemeral()
    first = build(postgres, [*silver_assets, *gold_assets], instance=instance)
    before = _snapshot(postgres)
    second = build(postgres, [*silver_assets, *gold_assets], instance=instance)

    assert _snapshot(postgres) == before
    assert all(before.values()), "the catalog should give every table rows"
    assert not failed_checks(first)
    assert not failed_checks(second)
    with postgres.get_connection() as conn:
        leftovers = conn.execute(
            "select schemaname, tablename from pg_tables where schemaname = any(%s) "
            "and tablename like '%%__staging_%%'",
            [[postgres.schema("silver"), postgres.schema("gold")]],
        ).fetchall()
    assert leftovers == []


def test_development_mode_silver_equals_extended_silver_but_for_the_fields_it_lacks(make_postgres):
    extended, developing = make_postgres(), make_postgres()
    write_bronze(extended, catalog())
    write_bronze(developing, catalog(development))
    assert not failed_checks(build(extended, silver_assets))
    assert not failed_checks(build(developing, silver_assets))

    # Genres are a field development-mode apps lack; a table made of them is empty there.
    assert select_rows(developing, "silver", "artist_genres") == []
    for spec in SILVER_SPECS:
        if spec.name == "artist_genres":
            continue
        # Only the quarantine's provenance differs: the raw objects (and so their hashes) lack the
        # same fields.
        compared = [
            col.name
            for col in spec.columns
            if col.name not in spec.optional_fields and col.name not in ("content_hash", "raw")
        ]
        assert select_rows(developing, "silver", spec.name, compared) == select_rows(
            extended, "silver", spec.name, compared
        ), spec.name
        if spec.optional_fields:
            lacking = select_rows(developing, "silver", spec.name, list(spec.optional_fields))
            assert {value for row in lacking for value in row} == {None}, spec.name
