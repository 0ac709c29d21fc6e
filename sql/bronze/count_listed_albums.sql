-- How many distinct albums bronze.artist_albums lists for each of the given artists.
-- Expects: %(artist_ids)s, a text array.
select parent_id, count(distinct spotify_id)
from {bronze}.artist_albums
where parent_id = any(%(artist_ids)s)
group by parent_id
