-- Build the album_artists table: one row per album and credited artist, from every current album
-- object, with the group under which the artist's own page lists the album (null when it does not,
-- or for development-mode apps, which receive no album_group).
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_album_objects.sql.
create table {silver}.{target} as
select
    c.album_id,
    c.artist_id,
    min(c.artist_position)::integer as artist_position,
    min(lower(l.response ->> 'album_group')) as album_group
from album_credits as c
left join current_album_listings as l on c.artist_id = l.artist_id and c.album_id = l.album_id
where c.reject_reason is null
group by c.album_id, c.artist_id
order by c.album_id, c.artist_id;
