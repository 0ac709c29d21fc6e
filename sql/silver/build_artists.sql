-- Build the artists table: one row per artist seen anywhere in the current bronze records, from
-- its richest version (the full /artists object of a watched artist, else its latest credit).
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_artist_objects.sql.
create table {silver}.{target} as
select
    a.artist_id,
    a.artist ->> 'name' as name,
    a.is_full as is_watched,
    (a.artist -> 'followers' ->> 'total')::bigint as followers,
    (a.artist ->> 'popularity')::integer as popularity,
    case
        when jsonb_typeof(a.artist -> 'genres') = 'array'
            then jsonb_array_length(a.artist -> 'genres')
    end as genre_count,
    a.fetched_at,
    a.source_table
from chosen_artists as a
order by a.artist_id;
