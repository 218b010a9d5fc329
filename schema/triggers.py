"""SQL shared by the migrations and the models: `updated_at` kept right by the database itself."""

SET_UPDATED_AT_FUNCTION = """\
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$"""


def updated_at_trigger(table: str) -> str:
    """A BEFORE UPDATE trigger so raw SQL updates move updated_at too, not only the ORM."""
    return (
        f"CREATE TRIGGER trg_{table}_set_updated_at BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
    )
