-- Define, for this session, the current /albums records (a temporary view).
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per album id. Objects without an id are keyed by their record's
-- content hash, so each stands alone.
-- The latest row per key is found by a skip scan over bronze's index bronze_records.LATEST
-- (one probe per key, one for its latest row): the cost follows the catalog, not the versions
-- history holds. A DISTINCT ON here read and sorted every version ever stored.

create temporary view current_album_records as
select
    b.response ->> 'id' as album_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.albums as b
where b.content_hash in (
    with recursive keys (key) as (
        (
            select coalesce(l.response ->> 'id', l.content_hash) from {bronze}.albums as l
            order by 1 limit 1
        )
        union all
        select (
            select coalesce(l.response ->> 'id', l.content_hash) from {bronze}.albums as l
            where coalesce(l.response ->> 'id', l.content_hash) > k.key
            order by 1 limit 1
        )
        from keys as k
        where k.key is not null
    )
    select (
        select l.content_hash from {bronze}.albums as l
        where coalesce(l.response ->> 'id', l.content_hash) = k.key
        order by l.fetched_at desc, l.content_hash
        limit 1
    )
    from keys as k
    where k.key is not null
);
