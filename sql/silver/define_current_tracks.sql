-- Define, for this session, the current /tracks records (a temporary view).
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per track id, as bronze.tracks__latest points at it (the IO
-- manager keeps it), so the cost follows the tracks, not the history kept. Objects without an id
-- are keyed by their record's content hash, so each stands alone.

create temporary view current_track_records as
select
    b.response ->> 'id' as track_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.tracks__latest as l
inner join {bronze}.tracks as b on b.content_hash = l.content_hash;
