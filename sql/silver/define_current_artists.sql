-- Define, for this session, the current /artists records and the accounting of
-- silver.artist_genres (temporary views).
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per artist id. Objects without an id are keyed by their record's
-- content hash, so each stands alone.
-- The latest row per key is found by a skip scan over bronze's index bronze_records.LATEST
-- (one probe per key, one for its latest row): the cost follows the catalog, not the versions
-- history holds. A DISTINCT ON here read and sorted every version ever stored.

create temporary view current_artist_records as
select
    b.response ->> 'id' as artist_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.artists as b
where b.content_hash in (
    with recursive keys (key) as (
        (
            select coalesce(l.response ->> 'id', l.content_hash) from {bronze}.artists as l
            order by 1 limit 1
        )
        union all
        select (
            select coalesce(l.response ->> 'id', l.content_hash) from {bronze}.artists as l
            where coalesce(l.response ->> 'id', l.content_hash) > k.key
            order by 1 limit 1
        )
        from keys as k
        where k.key is not null
    )
    select (
        select l.content_hash from {bronze}.artists as l
        where coalesce(l.response ->> 'id', l.content_hash) = k.key
        order by l.fetched_at desc, l.content_hash
        limit 1
    )
    from keys as k
    where k.key is not null
);

-- One row per source object of silver.artist_genres, keyed as its primary key renders.
create temporary view artist_genres_source_keys as
select a.artist_id || '/' || g.genre as key
from current_artist_records as a
cross join lateral jsonb_array_elements_text(
    case
        when jsonb_typeof(a.response -> 'genres') = 'array' then a.response -> 'genres' else '[]'
    end
) as g (genre)
where a.artist_id is not null;

-- Genres are plain strings: silver.artist_genres sets nothing aside.
create temporary view artist_genres_quarantined as
select
    false as is_kept,
    null::text as target_key
where false;
