-- Build the albums table: one row per album seen anywhere in the current bronze records, from its
-- richest version (the full /albums object, else its latest simplified listing).
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_album_objects.sql.
create table {silver}.{target} as
select
    a.album_id,
    a.album ->> 'name' as name,
    lower(a.album ->> 'album_type') as album_type,
    (a.album ->> 'total_tracks')::integer as total_tracks,
    a.release_date,
    a.album ->> 'release_date_precision' as release_date_precision,
    extract(year from a.release_date)::integer as release_year,
    a.release_date_raw,
    a.album ->> 'label' as label,
    (a.album ->> 'popularity')::integer as popularity,
    case
        when jsonb_typeof(a.album -> 'available_markets') = 'array'
            then jsonb_array_length(a.album -> 'available_markets')
    end as available_market_count,
    a.album -> 'external_ids' ->> 'upc' as upc,
    a.is_full,
    a.fetched_at,
    a.source_table
from chosen_albums as a
order by a.album_id;
