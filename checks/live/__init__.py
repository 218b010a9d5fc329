"""The live checks."""
