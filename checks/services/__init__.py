"""The services checks."""
