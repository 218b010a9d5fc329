"""Alembic histories under test: walk them, run them on throwaway databases, and check what they do."""
