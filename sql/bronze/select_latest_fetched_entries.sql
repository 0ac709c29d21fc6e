-- Each key of a logged object (e.g. a search's match, a playlist's snapshot read) as the latest
-- run of the step logged it, across all runs.
-- Expects: %(asset)s, text; %(field)s, text: a key of fetch_log.fetched holding a JSON object.
select distinct on (entry.key) entry.key, entry.value
from {bronze}.fetch_log
cross join lateral jsonb_each_text(fetched -> %(field)s) as entry
where asset = %(asset)s
order by entry.key, fetched_at desc
