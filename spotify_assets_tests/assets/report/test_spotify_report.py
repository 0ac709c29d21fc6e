"""The report asset end to end: hand-made gold (and silver) tables in a real PostgreSQL, loaded by
the Postgres IO manager, rendered through Dagster into a temporary folder.

Covers the asset's definition (key, group, kinds, automation), the files written, the metadata
(``report_path`` that ``spotify-assets run`` prints, chart paths, Markdown preview, rows, source
and as-of), development-mode data, empty tables, and where the files go. Chart details are tested
per chart module.
"""

import base64
import re
import stat
from pathlib import Path

import pandas as pd
import pytest
from dagster import (
    AssetKey,
    AssetSpec,
    AutomationCondition,
    DagsterInstance,
    materialize,
)
from psycopg.types.json import Jsonb

from spotify_assets import settings
from spotify_assets.assets.gold.artist_summary import ARTIST_SUMMARY
from spotify_assets.assets.gold.collaboration_network import COLLABORATION_NETWORK
from spotify_assets.assets.gold.playlist_summary import PLAYLIST_SUMMARY
from spotify_assets.assets.gold.release_timeline import RELEASE_TIMELINE
from spotify_assets.assets.gold.track_length_stats import TRACK_LENGTH_STATS
from spotify_assets.assets.report import report_assets
from spotify_assets.assets.report.spotify_report import (
    REPORT_DIR_ENV,
    api_mode,
    output_dir,
    spotify_report,
)
from spotify_assets.assets.silver import TRACK_ARTISTS, TRACKS
from spotify_assets.io_managers.postgres import PostgresPandasIOManager
from spotify_assets_tests.assets.report import frames
from spotify_assets_tests.assets.runs import metadata
from spotify_assets_tests.assets.spec_rows import write_table

KEY = AssetKey(["report", "spotify_report"])
CHARTS = [
    "releases_per_year",
    "track_length_distribution",
    "track_length_by_decade",
    "explicit_share",
    "collaborations",
    "popularity_vs_followers",
    "playlist_contents",
]


def _rows(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _write_tables(postgres, *, development_mode: bool = False, empty: bool = False) -> None:
    tables = [
        (ARTIST_SUMMARY, frames.artist_summary(development_mode=development_mode)),
        (RELEASE_TIMELINE, frames.release_timeline()),
        (COLLABORATION_NETWORK, frames.collaboration_network()),
        (TRACK_LENGTH_STATS, frames.track_length_stats()),
        (PLAYLIST_SUMMARY, frames.playlist_summary()),
    ]
    for spec, frame in tables:
        write_table(postgres, spec, [] if empty else _rows(frame))
    lengths = frames.track_lengths()
    track_ids = [f"T{i}" for i in range(len(lengths))]
    write_table(
        postgres,
        TRACKS,
        []
        if empty
        else [
            {"track_id": track_id, "duration_ms": int(seconds * 1000)}
            for track_id, seconds in zip(track_ids, lengths["seconds"], strict=True)
        ],
    )
    write_table(
        postgres,
        TRACK_ARTISTS,
        []
        if empty
        else [
            {"track_id": track_id, "artist_id": artist_id, "artist_position": 0}
            for track_id, artist_id in zip(track_ids, lengths["artist_id"], strict=True)
        ],
    )


def _run(postgres, instance: DagsterInstance, output: Path | None):
    upstream = [AssetSpec(key) for key in spotify_report.dependency_keys]
    config = {"output_dir": str(output)} if output else {}
    return materialize(
        [*report_assets, *upstream],
        selection=[KEY],
        resources={"io_manager": PostgresPandasIOManager(postgres=postgres), "postgres": postgres},
        instance=instance,
        run_config={"ops": {"report__spotify_report": {"config": config}}},
    )


def _fetched_from(postgres, source: str) -> float:
    """A bronze step's fetch from ``source`` in the fetch log (after an older one from elsewhere)."""
    postgres.ensure_schema(postgres.schema("bronze"))
    postgres.run_sql_file("bronze/create_fetch_log")
    with postgres.get_connection() as conn:
        insert = (
            f'insert into "{postgres.schema("bronze")}".fetch_log (run_id, asset, fetched, fetched_at) '
            "values (%s, %s, %s, now() - %s::interval) returning fetched_at"
        )
        conn.execute(insert, ["older", "artists", Jsonb({"source": "elsewhere"}), "1 hour"])
        conn.execute(insert, ["newer", "album_tracks", Jsonb({}), "0 s"])  # no API call
        (fetched_at,) = conn.execute(
            insert, ["latest", "playlists", Jsonb({"source": source}), "1 minute"]
        ).fetchone()
    return fetched_at.timestamp()


def test_the_asset_is_a_report_group_leaf_that_follows_gold_eagerly():
    spec = spotify_report.specs_by_key[KEY]
    assert spec.group_name == "report"
    assert set(spec.kinds) == {"seaborn", "html"}
    assert spec.owners == ["team:spotify-assets"]
    assert spec.automation_condition == AutomationCondition.eager()
    assert spec.description.startswith("One self-contained HTML page of seaborn charts")
    assert {key.to_user_string() for key in spotify_report.dependency_keys} == {
        "gold/artist_summary",
        "gold/release_timeline",
        "gold/collaboration_network",
        "gold/track_length_stats",
        "gold/playlist_summary",
        "silver/tracks",
        "silver/track_artists",
    }


@pytest.mark.postgres
def test_report_renders_gold_tables_into_files_and_metadata(postgres, tmp_path):
    _write_tables(postgres)
    with DagsterInstance.ephemeral() as instance:
        fetched = _fetched_from(postgres, "offline sandbox")
        result = _run(postgres, instance, tmp_path / "out")

    assert result.success
    values = metadata(result, KEY)
    report = tmp_path / "out" / "spotify_report.html"
    assert values["report_path"] == str(report)
    page = report.read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(CHARTS)
    assert "Source</dt><dd>offline sandbox" in page
    assert "Extended Quota Mode app" in page
    assert values["chart_paths"] == {name: str(tmp_path / "out" / f"{name}.png") for name in CHARTS}
    for path in values["chart_paths"].values():
        assert Path(path).read_bytes().startswith(b"\x89PNG")
    previews = re.findall(r"\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", values["preview"])
    assert len(previews) == len(CHARTS)
    assert all(base64.b64decode(image).startswith(b"\x89PNG") for image in previews)
    assert values["rows_charted"] == {
        "gold.artist_summary": 4,
        "gold.release_timeline": 3,
        "gold.collaboration_network": 4,
        "gold.track_length_stats": 4,
        "gold.playlist_summary": 3,
        "silver.tracks (watched artists' credits)": 12,
    }
    assert values["source"] == "offline sandbox"
    assert values["data_as_of"] == pytest.approx(fetched)
    assert not list((tmp_path / "out").glob(".*.partial"))
    # What the user listens to is theirs: the folder 0700, every file 0600.
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").iterdir()} == {0o600}


@pytest.mark.postgres
def test_development_mode_data_is_named_as_such(postgres, tmp_path):
    _write_tables(postgres, development_mode=True)
    with DagsterInstance.ephemeral() as instance:
        _fetched_from(postgres, "Spotify")
        result = _run(postgres, instance, tmp_path)

    values = metadata(result, KEY)
    assert values["api_mode"] == "Development Mode app (Spotify sent no popularity or followers)"
    assert values["source"] == "Spotify"
    assert "Development Mode app" in Path(values["report_path"]).read_text(encoding="utf-8")


@pytest.mark.postgres
def test_empty_tables_still_give_a_report_in_the_folder_from_the_environment(
    postgres, tmp_path, monkeypatch
):
    monkeypatch.setenv(REPORT_DIR_ENV, str(tmp_path / "from_env"))
    _write_tables(postgres, empty=True)
    with DagsterInstance.ephemeral() as instance:
        result = _run(postgres, instance, output=None)

    assert result.success
    values = metadata(result, KEY)
    assert values["report_path"] == str(tmp_path / "from_env" / "spotify_report.html")
    assert set(values["rows_charted"].values()) == {0}
    assert values["source"] == "unknown (no bronze fetch recorded)"
    assert values["data_as_of"] == "unknown"
    page = Path(values["report_path"]).read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(CHARTS)
    assert "unknown (no watched artists yet)" in page


def test_api_mode_reads_the_absence_of_popularity_and_followers():
    assert api_mode(frames.artist_summary()).startswith("Extended Quota Mode app")
    assert api_mode(frames.artist_summary(development_mode=True)).startswith("Development Mode app")
    assert api_mode(frames.artist_summary().drop(columns=["popularity", "followers"])).startswith(
        "Development Mode app"
    )
    assert api_mode(frames.empty(frames.artist_summary())) == "unknown (no watched artists yet)"


def test_output_dir_prefers_config_then_environment_then_project_home(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path / "home"))
    monkeypatch.delenv(REPORT_DIR_ENV, raising=False)
    assert output_dir(None) == tmp_path / "home" / "report"
    monkeypatch.setenv(REPORT_DIR_ENV, str(tmp_path / "env"))
    assert output_dir(None) == tmp_path / "env"
    assert output_dir(str(tmp_path / "config")) == tmp_path / "config"
