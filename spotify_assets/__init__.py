"""The Spotify Web API as a documented PostgreSQL warehouse, orchestrated by Dagster."""
