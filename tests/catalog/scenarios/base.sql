-- A small schema with one object of every kind the snapshot covers; the diff tests change one thing each.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TYPE priority AS ENUM ('low', 'high');
CREATE DOMAIN positive_cents AS bigint CONSTRAINT positive_cents_check CHECK (VALUE >= 0);

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE org (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_org PRIMARY KEY (id),
    CONSTRAINT uq_org_slug UNIQUE (slug)
);
COMMENT ON TABLE org IS 'a customer organisation';
CREATE INDEX ix_org_name_trgm ON org USING gin (name gin_trgm_ops);
CREATE INDEX ix_org_slug_active ON org (slug) INCLUDE (name) WHERE settings ? 'active';
CREATE TRIGGER trg_org_set_updated_at BEFORE UPDATE ON org FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_line (
    id bigint GENERATED ALWAYS AS IDENTITY,
    org_id uuid NOT NULL,
    status order_status NOT NULL DEFAULT 'new',
    quantity integer NOT NULL,
    price positive_cents NOT NULL,
    total bigint GENERATED ALWAYS AS (quantity * price) STORED,
    note text COLLATE "C",
    CONSTRAINT pk_order_line PRIMARY KEY (id),
    CONSTRAINT fk_order_line_org_id_org FOREIGN KEY (org_id) REFERENCES org (id) ON DELETE CASCADE,
    CONSTRAINT ck_order_line_quantity_positive CHECK (quantity > 0)
);
CREATE INDEX ix_order_line_org_id ON order_line (org_id);
ALTER TABLE order_line ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON order_line USING (org_id = current_setting('app.org_id')::uuid);

CREATE SEQUENCE invoice_number_seq AS integer START 1000 INCREMENT 1;
CREATE VIEW org_summary AS SELECT id, name FROM org;
CREATE MATERIALIZED VIEW order_total AS SELECT org_id, sum(total) AS total FROM order_line GROUP BY org_id;

CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
