"""Pages of the support app, one module per area."""
