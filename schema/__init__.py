"""OrderFlow's application schema: SQLAlchemy 2 models, the org settings schema, Alembic migrations.

It never imports the harness (`infra`): the harness tests it from the outside.
"""
