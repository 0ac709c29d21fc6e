-- Build the release_timeline table: one row per watched artist, release year and release month,
-- counting the artist's releases by type and the albums it appears on.
-- A release whose date gives only a year (precision 'year') counts in its year with a null month,
-- rather than in January; a release without a readable date (e.g. '0000') is left out.
-- Parameters: none. Identifiers: {silver}, {gold}, {target} (the table to create).
create table {gold}.{target} as
with watched as (
    select a.artist_id, a.name
    from {silver}.artists as a
    where a.is_watched
),

-- Albums a watched artist is on through a track, minus those crediting it (a set difference: an
-- anti-join here is estimated at one row and planned as a nested loop).
appearances as (
    select ta.artist_id, t.album_id
    from {silver}.track_artists as ta
    inner join {silver}.artists as a on ta.artist_id = a.artist_id and a.is_watched
    inner join {silver}.tracks as t on ta.track_id = t.track_id
    where t.album_id is not null
    except
    select aa.artist_id, aa.album_id
    from {silver}.album_artists as aa
),

releases as (
    select aa.artist_id, aa.album_id, 'own' as kind
    from {silver}.album_artists as aa
    union all
    select ap.artist_id, ap.album_id, 'appears_on' as kind
    from appearances as ap
)

select
    w.artist_id,
    w.name as artist_name,
    al.release_year,
    case
        when length(al.release_date_raw) >= 7 then extract(month from al.release_date)::integer
    end as release_month,
    count(*) filter (where r.kind = 'own') as releases,
    count(*) filter (where r.kind = 'own' and al.album_type = 'album') as albums,
    count(*) filter (where r.kind = 'own' and al.album_type = 'single') as singles,
    count(*) filter (where r.kind = 'own' and al.album_type = 'compilation') as compilations,
    count(*) filter (where r.kind = 'appears_on') as appears_on
from releases as r
inner join watched as w on r.artist_id = w.artist_id
inner join {silver}.albums as al on r.album_id = al.album_id
where al.release_year is not null
group by w.artist_id, w.name, al.release_year, 4
order by w.artist_id, al.release_year, 4 nulls first;
