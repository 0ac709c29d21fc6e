"""One metadata model of the warehouse, and the outputs fed from it (DataHub, the Markdown catalog)."""
