"""Names every layer shares."""

# Who answers for the platform's assets (Dagster owners: an email or team:<name>).
OWNER = "team:spotify-assets"
