-- Albums whose track list goes on after the page embedded in them, and the offset it goes on
-- from: the latest stored version of each album fetched by the given run or listed in the given
-- ids. Judged here on the embedded page's `next`, `offset`, `items` and `total`, so no album's
-- JSON travels to Python to be decoded; the same rule as paging.remaining_tracks_offset.
-- Expects: %(load_id)s, text; %(album_ids)s, a text array.
with latest as (
    select distinct on (spotify_id) spotify_id, response
    from {bronze}.albums
    where spotify_id is not null
      and (load_id = %(load_id)s or spotify_id = any(%(album_ids)s))
    order by spotify_id, fetched_at desc
),
embedded as (
    select spotify_id, response -> 'tracks' as page
    from latest
    where jsonb_typeof(response) = 'object'
),
continued as (
    select
        spotify_id,
        page,
        case
            when jsonb_typeof(page) = 'object' then
                coalesce((page ->> 'offset')::bigint, 0)
                + case when jsonb_typeof(page -> 'items') = 'array'
                      then jsonb_array_length(page -> 'items') else 0 end
            else 0
        end as next_offset
    from embedded
    where jsonb_typeof(page) is distinct from 'object'
       or coalesce(jsonb_typeof(page -> 'next'), 'null') <> 'null'
)
select spotify_id, next_offset
from continued
where jsonb_typeof(page) is distinct from 'object'
   or jsonb_typeof(page -> 'total') is distinct from 'number'
   or next_offset < (page ->> 'total')::numeric
order by spotify_id
