-- Define, for this session, the records every silver build reads, as temporary views: the current
-- version of each bronze record, the objects nested in them, each entity's richest version, the
-- records silver cannot parse (with the reason) and the source keys each silver table accounts for.
-- Run it before a silver build, in the same transaction; the views vanish with the session and are
-- inlined into the build's query, so nothing is computed that the build does not read.
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per object id (per listing artist and album for artist albums);
-- for playlist entries, each position's latest row below the latest playlist object's item total;
-- for album track pages, each position's latest row below the latest album object's track total.
-- Richest version: a full object beats a simplified one; among equals the latest fetched_at wins.
-- Objects without an id are keyed by their record's content hash, so each stands alone.
-- A playlist or album that does not say how many items it has keeps every stored position.

-- A timestamp from ISO 8601 text, else null: one odd value ("now", "0000-00-00", any junk) must
-- not fail the build. The record goes to quarantine with the raw text instead.
create function pg_temp.iso_timestamptz(value text) returns timestamptz
language plpgsql stable as $$
begin
    if value !~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}([T ][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}([.][0-9]+)?)?)?(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)?$' then
        return null;
    end if;
    return value::timestamptz;
exception when others then
    return null;
end
$$;

create temporary view current_artist_records as
select distinct on (coalesce(b.response ->> 'id', b.content_hash))
    b.response ->> 'id' as artist_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.artists as b
order by coalesce(b.response ->> 'id', b.content_hash), b.fetched_at desc, b.content_hash;

create temporary view current_album_records as
select distinct on (coalesce(b.response ->> 'id', b.content_hash))
    b.response ->> 'id' as album_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.albums as b
order by coalesce(b.response ->> 'id', b.content_hash), b.fetched_at desc, b.content_hash;

create temporary view current_album_listings as
select distinct on (b.parent_id, coalesce(b.response ->> 'id', b.content_hash))
    b.parent_id as artist_id,
    b.response ->> 'id' as album_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.artist_albums as b
order by
    b.parent_id, coalesce(b.response ->> 'id', b.content_hash), b.fetched_at desc, b.content_hash;

-- Pages beyond the embedded first page count only for albums with a current album object.
create temporary view current_album_track_pages as
select distinct on (b.parent_id, b.position)
    b.parent_id as album_id,
    b.position,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.album_tracks as b
inner join current_album_records as a on b.parent_id = a.album_id
where
    b.position < coalesce(
        (a.response -> 'tracks' ->> 'total')::bigint,
        (a.response ->> 'total_tracks')::bigint,
        b.position + 1
    )
order by b.parent_id, b.position, b.fetched_at desc, b.content_hash;

create temporary view current_track_records as
select distinct on (coalesce(b.response ->> 'id', b.content_hash))
    b.response ->> 'id' as track_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.tracks as b
order by coalesce(b.response ->> 'id', b.content_hash), b.fetched_at desc, b.content_hash;

create temporary view current_playlist_records as
select distinct on (coalesce(b.response ->> 'id', b.content_hash))
    b.response ->> 'id' as playlist_id,
    b.response,
    coalesce(
        (b.response -> 'items' ->> 'total')::bigint, (b.response -> 'tracks' ->> 'total')::bigint
    ) as item_total,
    b.fetched_at,
    b.content_hash
from {bronze}.playlists as b
order by coalesce(b.response ->> 'id', b.content_hash), b.fetched_at desc, b.content_hash;

-- 2026 entries carry the object as both `item` and `track`; older ones only `track`.
create temporary view current_playlist_entries as
select
    e.*,
    pg_temp.iso_timestamptz(e.entry ->> 'added_at') as added_at,
    case
        when e.item is null then 'unavailable_item'
        when e.item ->> 'type' = 'episode' or e.item -> 'episode' = 'true' then 'episode'
        when e.entry -> 'is_local' = 'true' or e.item -> 'is_local' = 'true' then 'local_file'
        when e.item ->> 'type' is distinct from 'track' then 'unknown_item_type'
        when e.item ->> 'id' is null then 'missing_id'
    end as reject_reason
from (
    select distinct on (b.parent_id, b.position)
        b.parent_id as playlist_id,
        b.position,
        b.response as entry,
        coalesce(nullif(b.response -> 'item', 'null'), nullif(b.response -> 'track', 'null'))
            as item,
        case when nullif(b.response -> 'item', 'null') is not null then '$.item' else '$.track' end
            as item_path,
        b.fetched_at,
        b.content_hash
    from {bronze}.playlist_items as b
    inner join current_playlist_records as p on b.parent_id = p.playlist_id
    where b.position < coalesce(p.item_total, b.position + 1)
    order by b.parent_id, b.position, b.fetched_at desc, b.content_hash
) as e;

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

-- Every track object: album pages (embedded first page and later pages), full tracks, playlist
-- tracks. album_id is the album the object belongs to.
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
        coalesce((r.response -> 'tracks' ->> 'offset')::bigint, 0) + i.n - 1 as position
    from current_album_records as r
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(r.response -> 'tracks' -> 'items') = 'array'
                then r.response -> 'tracks' -> 'items'
            else '[]'
        end
    ) with ordinality as i (track, n)
    where r.album_id is not null
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

-- Artists credited in album and track objects (objects that have an id themselves).
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
from album_objects as o
cross join lateral jsonb_array_elements(
    case when jsonb_typeof(o.album -> 'artists') = 'array' then o.album -> 'artists' else '[]' end
) with ordinality as c (artist, n)
where o.reject_reason is null;

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
from track_objects as o
cross join lateral jsonb_array_elements(
    case when jsonb_typeof(o.track -> 'artists') = 'array' then o.track -> 'artists' else '[]' end
) with ordinality as c (artist, n)
where o.reject_reason is null;

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

create temporary view chosen_tracks as
select distinct on (o.track_id) o.*
from track_objects as o
where o.reject_reason is null
order by o.track_id, o.is_full desc, o.fetched_at desc, o.content_hash, o.json_path;

-- What silver cannot parse: excluded records (is_kept false) and records kept with a field set
-- to null (is_kept true). target_key is the record's key in its target table, when it has one.
create temporary view quarantined_records as
select
    'playlist_items' as target_table,
    e.reject_reason as reason,
    false as is_kept,
    e.item ->> 'id' as spotify_id,
    e.playlist_id as parent_id,
    e.position,
    case e.reject_reason
        when 'episode' then e.item ->> 'name'
        when 'local_file' then e.item ->> 'uri'
        when 'unknown_item_type' then 'type ' || coalesce(e.item ->> 'type', 'absent')
    end as detail,
    'playlist_items' as source_table,
    e.content_hash,
    '$' as json_path,
    e.fetched_at,
    e.entry as raw,
    e.playlist_id || '/' || e.position as target_key
from current_playlist_entries as e
where e.reject_reason is not null
union all
select
    'albums', o.reject_reason, false, o.album_id, o.parent_id, o.position, null, o.source_table,
    o.content_hash, o.json_path, o.fetched_at, o.album, null
from album_objects as o
where o.reject_reason is not null
union all
select
    'albums', 'impossible_release_date', true, c.album_id, c.parent_id, c.position,
    'release_date "' || c.release_date_raw || '"', c.source_table, c.content_hash, c.json_path,
    c.fetched_at, c.album, c.album_id
from chosen_albums as c
where c.release_date is null and c.release_date_raw is not null
union all
select
    'playlist_items', 'impossible_added_at', true, e.item ->> 'id', e.playlist_id, e.position,
    'added_at "' || (e.entry ->> 'added_at') || '"', 'playlist_items', e.content_hash, '$',
    e.fetched_at, e.entry, e.playlist_id || '/' || e.position
from current_playlist_entries as e
where e.reject_reason is null and e.added_at is null and e.entry ->> 'added_at' is not null
union all
select
    'tracks', o.reject_reason, false, o.track_id, o.parent_id, o.position, null, o.source_table,
    o.content_hash, o.json_path, o.fetched_at, o.track, null
from track_objects as o
where o.reject_reason is not null
union all
select
    'album_artists', c.reject_reason, false, c.artist_id, c.album_id, c.artist_position,
    c.artist ->> 'name', c.source_table, c.content_hash, c.json_path, c.fetched_at, c.artist, null
from album_credits as c
where c.reject_reason is not null
union all
select
    'track_artists', c.reject_reason, false, c.artist_id, c.track_id, c.artist_position,
    c.artist ->> 'name', c.source_table, c.content_hash, c.json_path, c.fetched_at, c.artist, null
from track_credits as c
where c.reject_reason is not null
union all
select
    'artists', o.reject_reason, false, o.artist_id, null, null, null, o.source_table,
    o.content_hash, o.json_path, o.fetched_at, o.artist, null
from artist_objects as o
where o.reject_reason is not null
union all
select
    'playlists', 'missing_id', false, null, null, null, null, 'playlists', r.content_hash, '$',
    r.fetched_at, r.response, null
from current_playlist_records as r
where r.playlist_id is null;

-- One row per source object of each silver table, keyed as the table's primary key renders
-- (columns joined by '/'); null for objects without an id.
create temporary view source_keys as
select 'albums' as target_table, o.album_id as key
from album_objects as o
union all
select 'tracks', o.track_id
from track_objects as o
union all
select 'artists', o.artist_id
from artist_objects as o
union all
select 'album_artists', c.album_id || '/' || c.artist_id
from album_credits as c
union all
select 'track_artists', c.track_id || '/' || c.artist_id
from track_credits as c
union all
select 'artist_genres', a.artist_id || '/' || g.genre
from current_artist_records as a
cross join lateral jsonb_array_elements_text(
    case
        when jsonb_typeof(a.response -> 'genres') = 'array' then a.response -> 'genres' else '[]'
    end
) as g (genre)
where a.artist_id is not null
union all
select 'playlists', r.playlist_id
from current_playlist_records as r
union all
select 'playlist_items', e.playlist_id || '/' || e.position
from current_playlist_entries as e;
