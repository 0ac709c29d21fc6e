-- What a step fetched in the nearest of the given runs (a run, then the runs it re-executes).
-- Expects: %(asset)s, text; %(run_ids)s, a text array, nearest first.
select run_id, fetched
from {bronze}.fetch_log
where asset = %(asset)s
  and run_id = any(%(run_ids)s)
order by array_position(%(run_ids)s, run_id)
limit 1
