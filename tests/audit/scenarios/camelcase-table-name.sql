-- breaks: schema.table-name | table OrderLine
-- A quoted CamelCase table name.
CREATE TABLE "OrderLine" (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    quantity integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "pk_OrderLine" PRIMARY KEY (id),
    CONSTRAINT "fk_OrderLine_org_id_org" FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX "ix_OrderLine_org_id" ON "OrderLine" (org_id);
CREATE TRIGGER "trg_OrderLine_set_updated_at" BEFORE UPDATE ON "OrderLine"
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
