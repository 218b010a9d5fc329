-- breaks: schema.timestamps | trigger touch_shipment on shipment
-- The updated_at trigger under another name than trg_<table>_set_updated_at.
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT fk_shipment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_shipment_org_id ON shipment (org_id);
CREATE TRIGGER touch_shipment BEFORE UPDATE ON shipment FOR EACH ROW EXECUTE FUNCTION set_updated_at();
