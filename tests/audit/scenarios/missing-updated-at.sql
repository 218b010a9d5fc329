-- breaks: schema.timestamps | table shipment
-- No updated_at column (and so no trigger).
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT fk_shipment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_shipment_org_id ON shipment (org_id);
