-- breaks: schema.tenant-org-id | table shipment
-- A tenant table without org_id.
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    invoice_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT fk_shipment_invoice_id_invoice FOREIGN KEY (invoice_id) REFERENCES invoice (id)
);
CREATE INDEX ix_shipment_invoice_id ON shipment (invoice_id);
CREATE TRIGGER trg_shipment_set_updated_at BEFORE UPDATE ON shipment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
