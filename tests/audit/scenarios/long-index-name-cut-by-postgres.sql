-- breaks: schema.index-names | index ix_shipment_org_id_carrier_reference_number_destination_postcod on shipment
-- An index named by hand with the convention's full 64-character name: PostgreSQL cuts it at
-- 63 bytes, while SQLAlchemy would have created a shortened name with a hash suffix.
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    carrier_reference_number text NOT NULL,
    destination_postcode text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (id),
    CONSTRAINT fk_shipment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_shipment_org_id ON shipment (org_id);
CREATE INDEX ix_shipment_org_id_carrier_reference_number_destination_postcode ON shipment (org_id, carrier_reference_number, destination_postcode);
CREATE TRIGGER trg_shipment_set_updated_at BEFORE UPDATE ON shipment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
