-- Creates {monitoring}.run_failures (safe to re-run): one row per failed step of a failed run.
-- Expects: identifier {monitoring}.
create table if not exists {monitoring}.run_failures (
    run_id text not null,
    job_name text not null,
    step_key text,
    asset_key text,
    error_class text,
    message text not null,
    failed_at timestamptz not null,
    recorded_at timestamptz not null default now()
);
comment on table {monitoring}.run_failures is
    'One row per failed step of a failed Dagster run (secrets redacted), written by the run failure sensor.';
