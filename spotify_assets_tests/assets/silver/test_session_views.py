"""Each silver asset declares the bronze tables it reads: exactly those its session views name,
and enough to build the same rows with no other bronze table present."""

import re

import pytest

from spotify_assets.assets.silver import session_views as views
from spotify_assets.assets.silver import silver_assets
from spotify_assets.warehouse import sql_files
from spotify_assets_tests.assets.bronze_rows import select_rows, write_bronze
from spotify_assets_tests.assets.runs import build, failed_checks
from spotify_assets_tests.assets.silver.catalog import catalog

SESSION_VIEWS = views.in_order(
    [views.CURRENT_PLAYLISTS, views.ARTIST_OBJECTS, views.ALBUM_OBJECTS, views.TRACK_OBJECTS]
)


@pytest.mark.parametrize("file", SESSION_VIEWS, ids=lambda file: file.name)
def test_each_session_view_file_declares_the_bronze_tables_it_names(file) -> None:
    text = sql_files.sql_path(file.sql_file).read_text(encoding="utf-8")
    # A table's __latest pointer (kept by the IO manager) is read as part of the table.
    named = {name.removesuffix("__latest") for name in re.findall(r"\{bronze\}\.(\w+)", text)}
    assert named == set(file.bronze)


def test_session_view_files_are_all_declared() -> None:
    declared = {f"{file.sql_file}.sql" for file in SESSION_VIEWS}
    on_disk = {
        path.relative_to(sql_files.SQL_ROOT).as_posix()
        for path in (sql_files.SQL_ROOT / "silver").glob("define_*.sql")
    }
    assert on_disk == declared


@pytest.mark.postgres
def test_each_silver_table_builds_the_same_rows_from_its_declared_bronze_tables_alone(
    make_postgres,
) -> None:
    everything = make_postgres()
    write_bronze(everything, catalog())
    assert not failed_checks(build(everything, silver_assets))

    for asset in silver_assets:
        (key,) = asset.keys
        declared = sorted(dep.path[-1] for dep in asset.dependency_keys if dep.path[0] == "bronze")
        alone = make_postgres()
        rows = catalog()
        write_bronze(alone, {table: rows.get(table, []) for table in declared}, tables=declared)

        result = build(alone, [asset])

        assert select_rows(alone, *key.path) == select_rows(everything, *key.path), key
        # The table's own checks hold; those reading another silver table have nothing to read.
        failed = failed_checks(result)
        assert all("_existing_" in name for name in failed), (key, sorted(failed))
