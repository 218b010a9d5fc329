-- breaks: schema.constraint-names | foreign key fk_carrier_handover_reconciliation_exception_resolution_outcome on carrier_handover_reconciliation_exception_resolution_outcome_v1, foreign key fk_carrier_handover_reconciliation_exception_resolution_outcome on carrier_handover_reconciliation_exception_resolution_outcome_v2
-- Two tables whose foreign keys were named by hand with the convention's full (77-character) names.
-- PostgreSQL keeps 63 bytes of each, and both become the same name. SQLAlchemy would have shortened
-- them to distinct hashed names, as it did the primary keys and indexes below (written as it renders them).
CREATE TABLE carrier_handover_reconciliation_exception_resolution_outcome_v1 (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_carrier_handover_reconciliation_exception_resolution_0257 PRIMARY KEY (id),
    CONSTRAINT fk_carrier_handover_reconciliation_exception_resolution_outcome_v1_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_carrier_handover_reconciliation_exception_resolution_42cc ON carrier_handover_reconciliation_exception_resolution_outcome_v1 (org_id);
CREATE TRIGGER trg_carrier_handover_reconciliation_exception_resolution_outcome_v1_set_updated_at BEFORE UPDATE ON carrier_handover_reconciliation_exception_resolution_outcome_v1
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TABLE carrier_handover_reconciliation_exception_resolution_outcome_v2 (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_carrier_handover_reconciliation_exception_resolution_8738 PRIMARY KEY (id),
    CONSTRAINT fk_carrier_handover_reconciliation_exception_resolution_outcome_v2_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)
);
CREATE INDEX ix_carrier_handover_reconciliation_exception_resolution_72db ON carrier_handover_reconciliation_exception_resolution_outcome_v2 (org_id);
CREATE TRIGGER trg_carrier_handover_reconciliation_exception_resolution_outcome_v2_set_updated_at BEFORE UPDATE ON carrier_handover_reconciliation_exception_resolution_outcome_v2
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
