"""The compose checks."""
