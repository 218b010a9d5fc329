"""The budget checks."""
