-- Build the collaboration_network table: one row per unordered pair of artists credited together
-- on at least one track (artist_a_id < artist_b_id), with the number of shared tracks and the
-- first and last release year among them.
-- Parameters: none. Identifiers: {silver}, {gold}, {target} (the table to create).
create table {gold}.{target} as
with pairs as (
    select a.track_id, a.artist_id as artist_a_id, b.artist_id as artist_b_id
    from {silver}.track_artists as a
    inner join {silver}.track_artists as b
        on a.track_id = b.track_id and a.artist_id < b.artist_id
)

select
    p.artist_a_id,
    aa.name as artist_a_name,
    p.artist_b_id,
    ab.name as artist_b_name,
    count(*) as shared_tracks,
    min(al.release_year) as first_year,
    max(al.release_year) as last_year
from pairs as p
left join {silver}.tracks as t on p.track_id = t.track_id
left join {silver}.albums as al on t.album_id = al.album_id
left join {silver}.artists as aa on p.artist_a_id = aa.artist_id
left join {silver}.artists as ab on p.artist_b_id = ab.artist_id
group by p.artist_a_id, aa.name, p.artist_b_id, ab.name
order by p.artist_a_id, p.artist_b_id;
