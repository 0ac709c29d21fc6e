-- Build the track_length_stats table: one row per watched artist and decade of release, with the
-- number of the artist's tracks of known length and their mean, median and 90th-percentile length.
-- The decade comes from the track's album; it is null when that album's date is unreadable.
-- Parameters: none. Identifiers: {silver}, {gold}, {target} (the table to create).
create table {gold}.{target} as
select
    ta.artist_id,
    a.name as artist_name,
    (al.release_year / 10) * 10 as decade,
    count(*) as tracks,
    avg(t.duration_ms)::double precision / 1000 as mean_seconds,
    percentile_cont(0.5) within group (order by t.duration_ms) / 1000 as median_seconds,
    percentile_cont(0.9) within group (order by t.duration_ms) / 1000 as p90_seconds
from {silver}.track_artists as ta
inner join {silver}.artists as a on ta.artist_id = a.artist_id and a.is_watched
inner join {silver}.tracks as t on ta.track_id = t.track_id
left join {silver}.albums as al on t.album_id = al.album_id
where t.duration_ms is not null
group by ta.artist_id, a.name, (al.release_year / 10) * 10
order by ta.artist_id, decade nulls first;
