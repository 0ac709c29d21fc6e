-- Define, for this session, every album object in the current records, the artists credited in
-- them, each album's richest version, and the accounting of silver.albums and silver.album_artists
-- (temporary views). Needs the views of define_current_albums.sql, define_current_tracks.sql and
-- define_current_playlist_items.sql.
-- Parameters: none. Identifiers: {bronze}.
--
-- Current listing: the latest fetched_at per listing artist and album id, as
-- bronze.artist_albums__latest points at it.
-- Richest version: a full object beats a simplified one; among equals the latest fetched_at wins.
-- Objects without an id are keyed by their record's content hash, so each stands alone.

create temporary view current_album_listings as
select
    b.parent_id as artist_id,
    b.response ->> 'id' as album_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.artist_albums__latest as l
inner join {bronze}.artist_albums as b on b.content_hash = l.content_hash;

-- Every album object in the current records: full ones, artist-page listings, and the simplified
-- albums inside full tracks and playlist tracks.
create temporary view album_objects as
select
    o.*,
    case when o.album_id is null then 'missing_id' end as reject_reason
from (
    select
        r.album_id,
        r.response as album,
        true as is_full,
        'albums' as source_table,
        r.content_hash,
        '$' as json_path,
        r.fetched_at,
        null::text as parent_id,
        null::bigint as position
    from current_album_records as r
    union all
    select
        l.album_id, l.response, false, 'artist_albums', l.content_hash, '$', l.fetched_at,
        l.artist_id, null
    from current_album_listings as l
    union all
    select
        t.response -> 'album' ->> 'id', t.response -> 'album', false, 'tracks', t.content_hash,
        '$.album', t.fetched_at, t.track_id, null
    from current_track_records as t
    where jsonb_typeof(t.response -> 'album') = 'object'
    union all
    select
        e.item -> 'album' ->> 'id', e.item -> 'album', false, 'playlist_items', e.content_hash,
        e.item_path || '.album', e.fetched_at, e.playlist_id, e.position
    from current_playlist_entries as e
    where e.reject_reason is null and jsonb_typeof(e.item -> 'album') = 'object'
) as o;

-- Artists credited in album and track objects (objects that have an id themselves).
-- Each object's artists list is taken out of it once (`offset 0` keeps the subquery whole).
create temporary view album_credits as
select
    o.album_id,
    c.artist ->> 'id' as artist_id,
    c.artist,
    c.n - 1 as artist_position,
    o.source_table,
    o.content_hash,
    o.json_path || '.artists[' || (c.n - 1) || ']' as json_path,
    o.fetched_at,
    case when c.artist ->> 'id' is null then 'missing_id' end as reject_reason
from (
    select o.*, o.album -> 'artists' as artists
    from album_objects as o
    where o.reject_reason is null
    offset 0
) as o
cross join lateral jsonb_array_elements(
    case when jsonb_typeof(o.artists) = 'array' then o.artists else '[]' end
) with ordinality as c (artist, n);

-- Release dates come as YYYY, YYYY-MM or YYYY-MM-DD; "0000", "2021-02-30" and other dates that
-- do not exist read as null (the raw text stays in release_date_raw, the record in quarantine).
create temporary view chosen_albums as
select
    c.*,
    case
        when c.release_date_raw !~ '^[0-9]{{4}}(-[0-9]{{2}}(-[0-9]{{2}})?)?$' then null
        when substr(c.release_date_raw, 1, 4)::integer < 1 then null
        when length(c.release_date_raw) = 4
            then make_date(substr(c.release_date_raw, 1, 4)::integer, 1, 1)
        when substr(c.release_date_raw, 6, 2)::integer not between 1 and 12 then null
        when length(c.release_date_raw) = 7
            then make_date(
                substr(c.release_date_raw, 1, 4)::integer,
                substr(c.release_date_raw, 6, 2)::integer,
                1
            )
        when substr(c.release_date_raw, 9, 2)::integer between 1 and extract(
            day from make_date(
                substr(c.release_date_raw, 1, 4)::integer,
                substr(c.release_date_raw, 6, 2)::integer,
                1
            ) + interval '1 month' - interval '1 day'
        )
            then make_date(
                substr(c.release_date_raw, 1, 4)::integer,
                substr(c.release_date_raw, 6, 2)::integer,
                substr(c.release_date_raw, 9, 2)::integer
            )
    end as release_date
from (
    select distinct on (o.album_id)
        o.*,
        o.album ->> 'release_date' as release_date_raw
    from album_objects as o
    where o.reject_reason is null
    order by o.album_id, o.is_full desc, o.fetched_at desc, o.content_hash, o.json_path
) as c;

-- One row per source object of silver.albums and silver.album_artists, keyed as their primary
-- keys render (columns joined by '/'); null for objects without an id.
create temporary view albums_source_keys as
select o.album_id as key
from album_objects as o;

create temporary view album_artists_source_keys as
select c.album_id || '/' || c.artist_id as key
from album_credits as c;

-- What silver.albums sets aside (is_kept false) or keeps with release_date set to null (is_kept
-- true), and the credits silver.album_artists sets aside: a quarantine row (build_quarantine.sql)
-- and its key in the target table, when it has one.
create temporary view albums_quarantined as
select
    'albums' as target_table,
    o.reject_reason as reason,
    false as is_kept,
    o.album_id as spotify_id,
    o.parent_id,
    o.position,
    null::text as detail,
    o.source_table,
    o.content_hash,
    o.json_path,
    o.fetched_at,
    o.album as raw,
    null::text as target_key
from album_objects as o
where o.reject_reason is not null
union all
select
    'albums', 'impossible_release_date', true, c.album_id, c.parent_id, c.position,
    'release_date "' || c.release_date_raw || '"', c.source_table, c.content_hash, c.json_path,
    c.fetched_at, c.album, c.album_id
from chosen_albums as c
where c.release_date is null and c.release_date_raw is not null;

create temporary view album_artists_quarantined as
select
    'album_artists' as target_table,
    c.reject_reason as reason,
    false as is_kept,
    c.artist_id as spotify_id,
    c.album_id as parent_id,
    c.artist_position as position,
    c.artist ->> 'name' as detail,
    c.source_table,
    c.content_hash,
    c.json_path,
    c.fetched_at,
    c.artist as raw,
    null::text as target_key
from album_credits as c
where c.reject_reason is not null;
