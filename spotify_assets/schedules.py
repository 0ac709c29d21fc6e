"""Schedules: a daily full refresh, off until a user turns it on."""

from dagster import DefaultScheduleStatus, RunConfig, ScheduleDefinition

from spotify_assets.assets.bronze.album_tracks import album_tracks
from spotify_assets.assets.bronze.albums import albums
from spotify_assets.assets.bronze.artist_albums import artist_albums
from spotify_assets.assets.bronze.playlist_items import playlist_items
from spotify_assets.assets.bronze.run_config import Refresh
from spotify_assets.jobs import all_assets_job

all_assets_job_schedule = ScheduleDefinition(
    name="all_assets_job_schedule",
    job=all_assets_job,
    cron_schedule="0 4 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    # A full refresh re-reads what bronze would otherwise skip as unchanged.
    run_config=RunConfig(
        ops={
            asset.op.name: Refresh(full_refresh=True)
            for asset in (artist_albums, albums, album_tracks, playlist_items)
        }
    ),
    description="Every day at 04:00 UTC: every asset, re-reading what looks unchanged too (full refresh).",
)
