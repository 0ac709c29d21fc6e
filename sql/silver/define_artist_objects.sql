-- Define, for this session, every artist object in the current records, each artist's richest
-- version, and the accounting of silver.artists (temporary views). Needs the views of
-- define_current_artists.sql, define_album_objects.sql and define_track_objects.sql.
-- Parameters: none. Identifiers: none.
--
-- Richest version: a full object beats a simplified one; among equals the latest fetched_at wins.

-- Every artist object: full ones (watched artists) and credits with an id. A credit without an
-- id is lost to its album_artists or track_artists row, not to artists.
create temporary view artist_objects as
select
    r.artist_id,
    r.response as artist,
    true as is_full,
    'artists' as source_table,
    r.content_hash,
    '$' as json_path,
    r.fetched_at,
    case when r.artist_id is null then 'missing_id' end as reject_reason
from current_artist_records as r
union all
select c.artist_id, c.artist, false, c.source_table, c.content_hash, c.json_path, c.fetched_at, null
from album_credits as c
where c.reject_reason is null
union all
select c.artist_id, c.artist, false, c.source_table, c.content_hash, c.json_path, c.fetched_at, null
from track_credits as c
where c.reject_reason is null;

create temporary view chosen_artists as
select distinct on (o.artist_id) o.*
from artist_objects as o
where o.reject_reason is null
order by o.artist_id, o.is_full desc, o.fetched_at desc, o.content_hash, o.json_path;

-- One row per source object of silver.artists; null for objects without an id.
create temporary view artists_source_keys as
select o.artist_id as key
from artist_objects as o;

-- The artist objects silver.artists sets aside: a quarantine row (build_quarantine.sql) and its
-- key in artists (none: they have no id).
create temporary view artists_quarantined as
select
    'artists' as target_table,
    o.reject_reason as reason,
    false as is_kept,
    o.artist_id as spotify_id,
    null::text as parent_id,
    null::bigint as position,
    null::text as detail,
    o.source_table,
    o.content_hash,
    o.json_path,
    o.fetched_at,
    o.artist as raw,
    null::text as target_key
from artist_objects as o
where o.reject_reason is not null;
