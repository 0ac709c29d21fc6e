-- Log what a run's bronze step fetched; a retry of the step in the same run replaces its row.
-- Run by the IO manager on its ADBC connection, in the transaction that stores the rows, so
-- positional: $1 run id, $2 asset (the bronze table), $3 what was fetched (JSON text).
insert into {bronze}.fetch_log (run_id, asset, fetched)
values ($1, $2, $3::jsonb)
on conflict (run_id, asset) do update
set fetched = excluded.fetched, fetched_at = excluded.fetched_at
