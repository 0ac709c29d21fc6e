-- Build the playlist_summary table: one row per watched playlist with its entries of the latest
-- snapshot by kind (tracks from silver.playlist_items, episodes, local files and unavailable
-- entries from silver.quarantine), distinct artists, total length, explicit share and the first
-- and last time a track was added.
-- Parameters: none. Identifiers: {silver}, {gold}, {target} (the table to create).
create table {gold}.{target} as
with track_entries as (
    select
        pi.playlist_id,
        count(*) as tracks,
        sum(t.duration_ms)::double precision / 1000 as total_duration_seconds,
        avg(case when t.explicit then 1.0 when not t.explicit then 0.0 end)::double precision
            as explicit_share,
        min(pi.added_at) as first_added_at,
        max(pi.added_at) as last_added_at
    from {silver}.playlist_items as pi
    left join {silver}.tracks as t on pi.track_id = t.track_id
    group by pi.playlist_id
),

other_entries as (
    select
        q.parent_id as playlist_id,
        count(*) filter (where q.reason = 'episode') as episodes,
        count(*) filter (where q.reason = 'local_file') as local_files,
        count(*) filter (where q.reason not in ('episode', 'local_file')) as unavailable
    from {silver}.quarantine as q
    where q.target_table = 'playlist_items' and not q.is_kept
    group by q.parent_id
),

artists as (
    select pi.playlist_id, count(distinct ta.artist_id) as distinct_artists
    from {silver}.playlist_items as pi
    inner join {silver}.track_artists as ta on pi.track_id = ta.track_id
    group by pi.playlist_id
)

select
    p.playlist_id,
    p.name as playlist_name,
    p.owner_name,
    p.item_total,
    coalesce(te.tracks, 0) + coalesce(oe.episodes, 0) + coalesce(oe.local_files, 0)
    + coalesce(oe.unavailable, 0) as items,
    coalesce(te.tracks, 0) as tracks,
    coalesce(oe.episodes, 0) as episodes,
    coalesce(oe.local_files, 0) as local_files,
    coalesce(oe.unavailable, 0) as unavailable,
    coalesce(a.distinct_artists, 0) as distinct_artists,
    te.total_duration_seconds,
    te.explicit_share,
    te.first_added_at,
    te.last_added_at
from {silver}.playlists as p
left join track_entries as te on p.playlist_id = te.playlist_id
left join other_entries as oe on p.playlist_id = oe.playlist_id
left join artists as a on p.playlist_id = a.playlist_id
order by p.playlist_id;
