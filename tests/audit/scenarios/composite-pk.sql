-- breaks: schema.pk-uuid-id | table shipment
-- A two-column primary key.
CREATE TABLE shipment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_shipment PRIMARY KEY (org_id, id),
    CONSTRAINT fk_shipment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE TRIGGER trg_shipment_set_updated_at BEFORE UPDATE ON shipment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
