-- A schema that follows every rule of schema/CONVENTIONS.md. Each other scenario adds one table (or
-- changes one thing) on top of it, with exactly one kind of defect.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE org (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_org PRIMARY KEY (id),
    CONSTRAINT uq_org_slug UNIQUE (slug),
    CONSTRAINT ck_org_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
CREATE INDEX ix_org_name ON org USING gin (name gin_trgm_ops);
CREATE TRIGGER trg_org_set_updated_at BEFORE UPDATE ON org FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE invoice (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    number text NOT NULL,
    currency varchar(3) NOT NULL,
    total_cents bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_invoice PRIMARY KEY (id),
    CONSTRAINT fk_invoice_org_id_org FOREIGN KEY (org_id) REFERENCES org (id),
    CONSTRAINT uq_invoice_org_id_number UNIQUE (org_id, number),
    CONSTRAINT ck_invoice_total_not_negative CHECK (total_cents >= 0)
);
COMMENT ON COLUMN invoice.currency IS 'length-rule: ISO 4217 currency codes are three letters';
CREATE INDEX ix_invoice_org_id_created_at ON invoice (org_id, created_at);
CREATE INDEX ix_invoice_number ON invoice (lower(number));  -- SQLAlchemy names it after the column
CREATE INDEX ix_invoice_total_euros ON invoice ((total_cents / 100));  -- an explicit name of the shape
CREATE TRIGGER trg_invoice_set_updated_at BEFORE UPDATE ON invoice
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Long names: the convention's names are 64 characters, so SQLAlchemy shortens them (55 + _ + md5).
CREATE TABLE payment_reconciliation_adjustment (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL,
    settlement_reference text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_payment_reconciliation_adjustment PRIMARY KEY (id),
    CONSTRAINT fk_payment_reconciliation_adjustment_org_id_org FOREIGN KEY (org_id) REFERENCES org (id),
    CONSTRAINT uq_payment_reconciliation_adjustment_org_id_settlement__c0a5
        UNIQUE (org_id, settlement_reference)
);
CREATE INDEX ix_payment_reconciliation_adjustment_org_id_settlement__997a
    ON payment_reconciliation_adjustment (org_id, settlement_reference) WHERE settlement_reference <> '';
CREATE TRIGGER trg_payment_reconciliation_adjustment_set_updated_at BEFORE UPDATE
    ON payment_reconciliation_adjustment FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Exempt from every rule.
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
