-- Which of the given ids {table} already holds (used to fetch only what is new).
-- Expects: identifier {table}; %(ids)s, a text array.
select distinct spotify_id
from {bronze}.{table}
where spotify_id = any(%(ids)s)
