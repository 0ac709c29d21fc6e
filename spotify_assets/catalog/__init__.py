"""One metadata model of the warehouse, and the outputs fed from it (DataHub, the Markdown catalog)."""

import os

# DataHub's SDK sends usage telemetry and writes ~/.datahub/telemetry-config.json when first
# imported, unless told not to: the project runs offline and keeps out of the user's ~. It is read
# once, at the SDK's import, so it is set here, before any module of this package imports it;
# a user who wants it sets DATAHUB_TELEMETRY_ENABLED=true.
os.environ.setdefault("DATAHUB_TELEMETRY_ENABLED", "false")
