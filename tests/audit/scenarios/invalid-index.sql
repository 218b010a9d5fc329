-- breaks: schema.index-valid | index ix_shipment_org_id on shipment
-- What a failed CREATE INDEX CONCURRENTLY leaves behind (CONCURRENTLY cannot run in the scenario's
-- transaction, so the flag is set directly; the stack's user is the superuser).
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT fk_shipment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_shipment_org_id ON shipment (org_id);
CREATE TRIGGER trg_shipment_set_updated_at BEFORE UPDATE ON shipment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_shipment_org_id'::regclass;
