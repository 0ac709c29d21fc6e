-- Build the tracks table: one row per track seen anywhere in the current bronze records, from its
-- richest version (a full track from /tracks or a playlist, else its album's simplified one).
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_track_objects.sql.
create table {silver}.{target} as
select
    t.track_id,
    t.track ->> 'name' as name,
    t.album_id,
    (t.track ->> 'disc_number')::integer as disc_number,
    (t.track ->> 'track_number')::integer as track_number,
    (t.track ->> 'duration_ms')::integer as duration_ms,
    (t.track ->> 'explicit')::boolean as explicit,
    t.track -> 'external_ids' ->> 'isrc' as isrc,
    (t.track ->> 'popularity')::integer as popularity,
    case
        when jsonb_typeof(t.track -> 'available_markets') = 'array'
            then jsonb_array_length(t.track -> 'available_markets')
    end as available_market_count,
    t.is_full,
    t.fetched_at,
    t.source_table
from chosen_tracks as t
order by t.track_id;
