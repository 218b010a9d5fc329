-- breaks: schema.constraint-names | shipment_tracking_key on shipment
-- A unique constraint named by hand.
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    tracking_number text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT fk_shipment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id),
    CONSTRAINT shipment_tracking_key UNIQUE (org_id, tracking_number)
);
CREATE INDEX ix_shipment_org_id ON shipment (org_id);
CREATE TRIGGER trg_shipment_set_updated_at BEFORE UPDATE ON shipment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
