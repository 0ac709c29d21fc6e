-- Build the playlist_items table: one row per track entry of each playlist's latest snapshot
-- (positions below the latest playlist object's item total, each position's latest row).
-- Entries that are not tracks (unavailable, episodes, local files) go to quarantine instead;
-- an added_at that is no timestamp is null here, and its entry is quarantined as well.
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_current_playlist_items.sql.
create table {silver}.{target} as
select
    e.playlist_id,
    e.position,
    e.item ->> 'id' as track_id,
    e.added_at,
    e.entry -> 'added_by' ->> 'id' as added_by_id,
    e.fetched_at
from current_playlist_entries as e
where e.reject_reason is null
order by e.playlist_id, e.position;
