-- The source and time of the latest bronze step that called the API (any run, any table).
-- Expects: no parameters.
select fetched ->> 'source', fetched_at
from {bronze}.fetch_log
where fetched ->> 'source' is not null
order by fetched_at desc
limit 1
