-- Define, for this session, every track object in the current records, the artists credited in
-- them, each track's richest version, and the accounting of silver.tracks and silver.track_artists
-- (temporary views). Needs the views of define_current_albums.sql, define_current_tracks.sql and
-- define_current_playlist_items.sql.
-- Parameters: none. Identifiers: {bronze}.
--
-- Current album track page: each position's latest row (bronze.album_tracks__latest) below the
-- latest album object's track total. An album that does not say how many tracks it has keeps every stored position.
-- Richest version: a full object beats a simplified one; among equals the latest fetched_at wins.

-- Each album's id and track total, computed once per album (materialized): as expressions of
-- the join they would be evaluated per page row, decompressing the whole album object each time
-- (the same cost define_current_playlist_items.sql's playlist_totals avoids).
create temporary view album_totals as
with totals as materialized (
    select
        a.album_id,
        coalesce(
            (a.response -> 'tracks' ->> 'total')::bigint, (a.response ->> 'total_tracks')::bigint
        ) as track_total
    from current_album_records as a
)
select t.album_id, t.track_total from totals as t;

-- Pages beyond the embedded first page count only for albums with a current album object.
create temporary view current_album_track_pages as
select
    b.parent_id as album_id,
    b.position,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.album_tracks__latest as l
inner join {bronze}.album_tracks as b on b.content_hash = l.content_hash
inner join album_totals as a on b.parent_id = a.album_id
where b.position < coalesce(a.track_total, b.position + 1);

-- Every track object: album pages (embedded first page and later pages), full tracks, playlist
-- tracks. album_id is the album the object belongs to. Each album's embedded page is taken out of
-- the album once (`offset 0` keeps that subquery whole): every `response -> ...` of a stored album
-- decompresses the whole object again.
create temporary view track_objects as
select
    o.*,
    case when o.track_id is null then 'missing_id' end as reject_reason
from (
    select
        i.track ->> 'id' as track_id,
        i.track,
        false as is_full,
        r.album_id,
        'albums' as source_table,
        r.content_hash,
        '$.tracks.items[' || (i.n - 1) || ']' as json_path,
        r.fetched_at,
        r.album_id as parent_id,
        coalesce((r.tracks ->> 'offset')::bigint, 0) + i.n - 1 as position
    from (
        select a.album_id, a.response -> 'tracks' as tracks, a.content_hash, a.fetched_at
        from current_album_records as a
        where a.album_id is not null
        offset 0
    ) as r
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(r.tracks -> 'items') = 'array' then r.tracks -> 'items' else '[]'
        end
    ) with ordinality as i (track, n)
    union all
    select
        p.response ->> 'id', p.response, false, p.album_id, 'album_tracks', p.content_hash, '$',
        p.fetched_at, p.album_id, p.position
    from current_album_track_pages as p
    union all
    select
        t.track_id, t.response, true, t.response -> 'album' ->> 'id', 'tracks', t.content_hash,
        '$', t.fetched_at, null, null
    from current_track_records as t
    union all
    select
        e.item ->> 'id', e.item, true, e.item -> 'album' ->> 'id', 'playlist_items',
        e.content_hash, e.item_path, e.fetched_at, e.playlist_id, e.position
    from current_playlist_entries as e
    where e.reject_reason is null
) as o;

-- Each object's artists list is taken out of it once (`offset 0` keeps the subquery whole).
create temporary view track_credits as
select
    o.track_id,
    c.artist ->> 'id' as artist_id,
    c.artist,
    c.n - 1 as artist_position,
    o.source_table,
    o.content_hash,
    o.json_path || '.artists[' || (c.n - 1) || ']' as json_path,
    o.fetched_at,
    case when c.artist ->> 'id' is null then 'missing_id' end as reject_reason
from (
    select o.*, o.track -> 'artists' as artists
    from track_objects as o
    where o.reject_reason is null
    offset 0
) as o
cross join lateral jsonb_array_elements(
    case when jsonb_typeof(o.artists) = 'array' then o.artists else '[]' end
) with ordinality as c (artist, n);

create temporary view chosen_tracks as
select distinct on (o.track_id) o.*
from track_objects as o
where o.reject_reason is null
order by o.track_id, o.is_full desc, o.fetched_at desc, o.content_hash, o.json_path;

-- One row per source object of silver.tracks and silver.track_artists, keyed as their primary
-- keys render (columns joined by '/'); null for objects without an id.
create temporary view tracks_source_keys as
select o.track_id as key
from track_objects as o;

create temporary view track_artists_source_keys as
select c.track_id || '/' || c.artist_id as key
from track_credits as c;

-- The track objects and credits silver.tracks and silver.track_artists set aside: a quarantine
-- row (build_quarantine.sql) and its key in the target table (none: they have no id).
create temporary view tracks_quarantined as
select
    'tracks' as target_table,
    o.reject_reason as reason,
    false as is_kept,
    o.track_id as spotify_id,
    o.parent_id,
    o.position,
    null::text as detail,
    o.source_table,
    o.content_hash,
    o.json_path,
    o.fetched_at,
    o.track as raw,
    null::text as target_key
from track_objects as o
where o.reject_reason is not null;

create temporary view track_artists_quarantined as
select
    'track_artists' as target_table,
    c.reject_reason as reason,
    false as is_kept,
    c.artist_id as spotify_id,
    c.track_id as parent_id,
    c.artist_position as position,
    c.artist ->> 'name' as detail,
    c.source_table,
    c.content_hash,
    c.json_path,
    c.fetched_at,
    c.artist as raw,
    null::text as target_key
from track_credits as c
where c.reject_reason is not null;
