-- Build the quarantine table: one row per current bronze object that silver could not parse,
-- with its reason, where it was found and the raw object. is_kept tells records kept in their
-- target table with the unparseable field set to null from records left out of it.
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the <table>_quarantined session views of every silver/define_*.sql file.
create table {silver}.{target} as
select
    q.source_table,
    q.content_hash,
    q.json_path,
    q.target_table,
    q.reason,
    q.is_kept,
    q.spotify_id,
    q.parent_id,
    q.position,
    q.detail,
    q.fetched_at,
    q.raw
from (
    select * from artists_quarantined
    union all
    select * from albums_quarantined
    union all
    select * from album_artists_quarantined
    union all
    select * from tracks_quarantined
    union all
    select * from track_artists_quarantined
    union all
    select * from playlists_quarantined
    union all
    select * from playlist_items_quarantined
) as q
order by q.source_table, q.content_hash, q.json_path;
