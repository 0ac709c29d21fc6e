-- The fetch log: what each run's bronze step fetched (ids, search matches, snapshots read, the
-- source), one row per run and step, written in the transaction that stores the step's rows.
-- Later steps of the same run read their work list from it, never from another run.
-- Expects: no parameters.
create table if not exists {bronze}.fetch_log (
    run_id text not null,
    asset text not null,
    fetched jsonb not null,
    fetched_at timestamp with time zone not null default now(),
    primary key (run_id, asset)
);

comment on table {bronze}.fetch_log is
    'One row per run and bronze step: what the step fetched, as the run''s next steps read it.';
comment on column {bronze}.fetch_log.run_id is 'The Dagster run (load_id of the rows it stored).';
comment on column {bronze}.fetch_log.asset is 'The bronze table the step wrote, e.g. artists.';
comment on column {bronze}.fetch_log.fetched is
    'Ids in scope, search matches, playlist snapshots read and the source (sandbox or Spotify).';
comment on column {bronze}.fetch_log.fetched_at is 'When the step''s rows were stored (UTC).';
