-- Build the artist_summary table: one row per watched artist with its releases by type, tracks,
-- first and latest release, average track length, explicit share, collaborators, and popularity
-- and followers where the API gives them.
-- Releases are the albums crediting the artist (album_artists) by album_type; appears_on counts
-- the albums holding a track that credits the artist while the album does not, which needs no
-- album_group and so reads the same for development-mode apps.
-- Parameters: none. Identifiers: {silver}, {gold}, {target} (the table to create).
create table {gold}.{target} as
with watched as (
    select a.artist_id, a.name, a.popularity, a.followers
    from {silver}.artists as a
    where a.is_watched
),

releases as (
    select
        aa.artist_id,
        count(*) filter (where al.album_type = 'album') as albums,
        count(*) filter (where al.album_type = 'single') as singles,
        count(*) filter (where al.album_type = 'compilation') as compilations,
        min(al.release_date) as first_release_date,
        max(al.release_date) as latest_release_date
    from {silver}.album_artists as aa
    inner join {silver}.albums as al on aa.album_id = al.album_id
    group by aa.artist_id
),

artist_tracks as (
    select ta.artist_id, t.track_id, t.album_id, t.duration_ms, t.explicit
    from {silver}.track_artists as ta
    inner join {silver}.tracks as t on ta.track_id = t.track_id
    inner join watched as w on ta.artist_id = w.artist_id
),

track_stats as (
    select
        at.artist_id,
        count(*) as tracks,
        avg(at.duration_ms)::double precision / 1000 as average_track_seconds,
        avg(case when at.explicit then 1.0 when not at.explicit then 0.0 end)::double precision
            as explicit_share
    from artist_tracks as at
    group by at.artist_id
),

-- Albums the artist is on through a track, minus those crediting it (a set difference: an
-- anti-join here is estimated at one row and planned as a nested loop).
appears_on as (
    select x.artist_id, count(*) as appears_on
    from (
        select at.artist_id, at.album_id
        from artist_tracks as at
        where at.album_id is not null
        except
        select aa.artist_id, aa.album_id
        from {silver}.album_artists as aa
    ) as x
    group by x.artist_id
),

collaborators as (
    select at.artist_id, count(distinct other.artist_id) as collaborators
    from artist_tracks as at
    inner join {silver}.track_artists as other
        on at.track_id = other.track_id and at.artist_id <> other.artist_id
    group by at.artist_id
)

select
    w.artist_id,
    w.name as artist_name,
    coalesce(r.albums, 0) as albums,
    coalesce(r.singles, 0) as singles,
    coalesce(r.compilations, 0) as compilations,
    coalesce(ao.appears_on, 0) as appears_on,
    coalesce(ts.tracks, 0) as tracks,
    r.first_release_date,
    r.latest_release_date,
    ts.average_track_seconds,
    ts.explicit_share,
    coalesce(c.collaborators, 0) as collaborators,
    w.popularity,
    w.followers
from watched as w
left join releases as r on w.artist_id = r.artist_id
left join track_stats as ts on w.artist_id = ts.artist_id
left join appears_on as ao on w.artist_id = ao.artist_id
left join collaborators as c on w.artist_id = c.artist_id
order by w.artist_id;
