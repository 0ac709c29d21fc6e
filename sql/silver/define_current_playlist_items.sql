-- Define, for this session, the current playlist entries and the accounting of
-- silver.playlist_items (temporary views). Needs the views of define_current_playlists.sql.
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: each position's latest row (bronze.playlist_items__latest) below the latest playlist
-- object's item total. A playlist
-- that does not say how many items it has keeps every stored position.

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

-- Each playlist's id and item total, computed once per playlist (materialized): joined as
-- expressions of the view, they were evaluated per item row, decompressing the whole playlist
-- object each time (7,795 items of 108 playlists: 5.4 s of a 6 s scan).
create temporary view playlist_totals as
with totals as materialized (
    select r.playlist_id, r.item_total from current_playlist_records as r
)
select t.playlist_id, t.item_total from totals as t;

-- 2026 entries carry the object as both `item` and `track`; older ones only `track`.
-- `offset 0` keeps the subquery whole, so each entry's item is taken out of the record once.
-- Flattened, the item expression was copied into every use below and read the whole entry each
-- time (1,000 artists: 125 of 135 ms of each scan of the entries).
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
    select
        b.parent_id as playlist_id,
        b.position,
        b.response as entry,
        coalesce(nullif(b.response -> 'item', 'null'), nullif(b.response -> 'track', 'null'))
            as item,
        case when nullif(b.response -> 'item', 'null') is not null then '$.item' else '$.track' end
            as item_path,
        b.fetched_at,
        b.content_hash
    from {bronze}.playlist_items__latest as l
    inner join {bronze}.playlist_items as b on b.content_hash = l.content_hash
    inner join playlist_totals as p on b.parent_id = p.playlist_id
    where b.position < coalesce(p.item_total, b.position + 1)
    offset 0
) as e;

-- One row per source object of silver.playlist_items, keyed as its primary key renders.
create temporary view playlist_items_source_keys as
select e.playlist_id || '/' || e.position as key
from current_playlist_entries as e;

-- What silver.playlist_items sets aside (is_kept false) or keeps with added_at set to null
-- (is_kept true): a quarantine row (build_quarantine.sql) and its key in playlist_items.
create temporary view playlist_items_quarantined as
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
    'playlist_items', 'impossible_added_at', true, e.item ->> 'id', e.playlist_id, e.position,
    'added_at "' || (e.entry ->> 'added_at') || '"', 'playlist_items', e.content_hash, '$',
    e.fetched_at, e.entry, e.playlist_id || '/' || e.position
from current_playlist_entries as e
where e.reject_reason is null and e.added_at is null and e.entry ->> 'added_at' is not null;
