-- The latest stored version of each album fetched by the given run or listed in the given ids.
-- Expects: %(load_id)s, text; %(album_ids)s, a text array.
select distinct on (spotify_id) response
from {bronze}.albums
where spotify_id is not null
  and (load_id = %(load_id)s or spotify_id = any(%(album_ids)s))
order by spotify_id, fetched_at desc
