"""Check declarations, one module per concern (compose, live, schema, migrations...)."""
