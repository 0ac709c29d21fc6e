-- Build the artist_genres table: one row per watched artist and genre, from the artist's latest
-- full object (development-mode apps receive no genres, so the table is then empty). A full object
-- is always an artist's richest version, so the credits need not be read.
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_current_artists.sql.
create table {silver}.{target} as
select distinct
    a.artist_id,
    g.genre
from current_artist_records as a
cross join lateral jsonb_array_elements_text(
    case
        when jsonb_typeof(a.response -> 'genres') = 'array' then a.response -> 'genres' else '[]'
    end
) as g (genre)
where a.artist_id is not null
order by a.artist_id, g.genre;
