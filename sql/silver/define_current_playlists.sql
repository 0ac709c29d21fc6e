-- Define, for this session, the current /playlists records and the accounting of silver.playlists
-- (temporary views).
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per playlist id, as bronze.playlists__latest points at it (the
-- IO manager keeps it), so the cost follows the playlists, not the history kept. Objects without an
-- id are keyed by their record's content hash, so each stands alone.

create temporary view current_playlist_records as
select
    b.response ->> 'id' as playlist_id,
    b.response,
    coalesce(
        (b.response -> 'items' ->> 'total')::bigint, (b.response -> 'tracks' ->> 'total')::bigint
    ) as item_total,
    b.fetched_at,
    b.content_hash
from {bronze}.playlists__latest as l
inner join {bronze}.playlists as b on b.content_hash = l.content_hash;

-- One row per source object of silver.playlists; null for objects without an id.
create temporary view playlists_source_keys as
select r.playlist_id as key
from current_playlist_records as r;

-- What silver.playlists sets aside: a quarantine row (build_quarantine.sql) and its target_key.
create temporary view playlists_quarantined as
select
    'playlists' as target_table,
    'missing_id' as reason,
    false as is_kept,
    null::text as spotify_id,
    null::text as parent_id,
    null::bigint as position,
    null::text as detail,
    'playlists' as source_table,
    r.content_hash,
    '$' as json_path,
    r.fetched_at,
    r.response as raw,
    null::text as target_key
from current_playlist_records as r
where r.playlist_id is null;
