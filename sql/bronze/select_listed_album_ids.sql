-- The album ids bronze.artist_albums lists for the given artists (any fetch so far).
-- Expects: %(artist_ids)s, a text array.
select distinct spotify_id
from {bronze}.artist_albums
where parent_id = any(%(artist_ids)s)
  and spotify_id is not null
order by spotify_id
