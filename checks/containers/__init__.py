"""The containers checks."""
