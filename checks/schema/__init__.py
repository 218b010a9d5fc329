"""The schema checks."""
