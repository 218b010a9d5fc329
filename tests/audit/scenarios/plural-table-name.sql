-- breaks: schema.table-name | table order_lines
-- A plural table name.
CREATE TABLE order_lines (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    quantity integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_order_lines PRIMARY KEY (id),
    CONSTRAINT fk_order_lines_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_order_lines_org_id ON order_lines (org_id);
CREATE TRIGGER trg_order_lines_set_updated_at BEFORE UPDATE ON order_lines
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
