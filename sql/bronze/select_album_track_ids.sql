-- Track ids of the given albums: their embedded first page plus the pages in bronze.album_tracks.
-- Expects: %(album_ids)s, a text array.
select track ->> 'id' as track_id
from (
    select distinct on (spotify_id) response
    from {bronze}.albums
    where spotify_id = any(%(album_ids)s)
    order by spotify_id, fetched_at desc
) as latest
cross join lateral jsonb_array_elements(latest.response -> 'tracks' -> 'items') as track
where track ->> 'id' is not null
union
select spotify_id
from {bronze}.album_tracks
where parent_id = any(%(album_ids)s)
  and spotify_id is not null
order by 1
