-- breaks: schema.pk-uuid-id | column shipment.id
-- An integer primary key from a sequence.
CREATE TABLE shipment (
    id serial NOT NULL,
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT fk_shipment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_shipment_org_id ON shipment (org_id);
CREATE TRIGGER trg_shipment_set_updated_at BEFORE UPDATE ON shipment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
