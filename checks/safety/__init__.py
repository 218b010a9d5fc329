"""The safety checks."""
