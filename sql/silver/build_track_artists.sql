-- Build the track_artists table: one row per track and credited artist, from every current track
-- object.
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_track_objects.sql.
create table {silver}.{target} as
select
    c.track_id,
    c.artist_id,
    min(c.artist_position)::integer as artist_position
from track_credits as c
where c.reject_reason is null
group by c.track_id, c.artist_id
order by c.track_id, c.artist_id;
