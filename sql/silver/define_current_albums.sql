-- Define, for this session, the current /albums records (a temporary view).
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per album id. Objects without an id are keyed by their record's
-- content hash, so each stands alone.

create temporary view current_album_records as
select distinct on (coalesce(b.response ->> 'id', b.content_hash))
    b.response ->> 'id' as album_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.albums as b
order by coalesce(b.response ->> 'id', b.content_hash), b.fetched_at desc, b.content_hash;
