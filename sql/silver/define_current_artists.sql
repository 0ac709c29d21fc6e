-- Define, for this session, the current /artists records and the accounting of
-- silver.artist_genres (temporary views).
-- Parameters: none. Identifiers: {bronze}.
--
-- Current: the latest fetched_at per artist id, as bronze.artists__latest points at it (the IO
-- manager keeps it), so the cost follows the artists, not the history kept. Objects without an id
-- are keyed by their record's content hash, so each stands alone.

create temporary view current_artist_records as
select
    b.response ->> 'id' as artist_id,
    b.response,
    b.fetched_at,
    b.content_hash
from {bronze}.artists__latest as l
inner join {bronze}.artists as b on b.content_hash = l.content_hash;

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
