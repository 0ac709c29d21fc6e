"""Schedules: a daily full refresh, off until a user turns it on."""

from dagster import DefaultScheduleStatus, RunConfig, ScheduleDefinition

from spotify_assets.assets.bronze import full_refresh_ops
from spotify_assets.jobs import all_assets_job

all_assets_job_schedule = ScheduleDefinition(
    name="all_assets_job_schedule",
    job=all_assets_job,
    cron_schedule="0 4 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    # A full refresh re-reads what bronze would otherwise skip as unchanged.
    run_config=RunConfig(ops=full_refresh_ops()),
    description="Every day at 04:00 UTC: every asset, re-reading what looks unchanged too (full refresh).",
)
