-- breaks: schema.constraint-names | shipment_org_fk on shipment
-- A foreign key named by hand.
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT shipment_org_fk FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_shipment_org_id ON shipment (org_id);
CREATE TRIGGER trg_shipment_set_updated_at BEFORE UPDATE ON shipment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
