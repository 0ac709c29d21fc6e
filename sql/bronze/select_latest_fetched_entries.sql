-- Each key of a logged object (e.g. a search's match, a playlist's snapshot read) as the latest
-- run of the step logged it, across the runs logged since a time (all runs when it is null).
-- Expects: %(asset)s, text; %(field)s, text: a key of fetch_log.fetched holding a JSON object;
-- %(since)s, timestamptz or null.
select distinct on (entry.key) entry.key, entry.value
from {bronze}.fetch_log
cross join lateral jsonb_each_text(fetched -> %(field)s) as entry
where asset = %(asset)s
  and (%(since)s::timestamptz is null or fetched_at >= %(since)s::timestamptz)
order by entry.key, fetched_at desc
