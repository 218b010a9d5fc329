"""The migrations checks."""
