-- Build the playlists table: one row per watched playlist, from its latest /playlists object.
-- Parameters: none. Identifiers: {silver}, {target} (the table to create).
-- Reads the session views of silver/define_current_playlists.sql.
create table {silver}.{target} as
select
    p.playlist_id,
    p.response ->> 'name' as name,
    p.response ->> 'description' as description,
    p.response -> 'owner' ->> 'id' as owner_id,
    p.response -> 'owner' ->> 'display_name' as owner_name,
    (p.response ->> 'public')::boolean as is_public,
    (p.response ->> 'collaborative')::boolean as is_collaborative,
    p.response ->> 'snapshot_id' as snapshot_id,
    p.item_total::integer as item_total,
    (p.response -> 'followers' ->> 'total')::bigint as followers,
    p.fetched_at
from current_playlist_records as p
where p.playlist_id is not null
order by p.playlist_id;
