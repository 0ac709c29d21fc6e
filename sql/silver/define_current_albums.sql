-- Define, for this session, the current /albums records (a temporary view).
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per album id, as bronze.albums__latest points at it (the IO
-- manager keeps it), so the cost follows the albums, not the history kept. Objects without an id
-- are keyed by their record's content hash, so each stands alone.

create temporary view current_album_records as
select
    b.response ->> 'id' as album_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.albums__latest as l
inner join {bronze}.albums as b on b.content_hash = l.content_hash;
