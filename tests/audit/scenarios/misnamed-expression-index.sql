-- breaks: schema.index-names | index invoice_lower_number on invoice
-- An expression index whose explicit name is not of the convention's shape (ix_<table>_...).
CREATE INDEX invoice_lower_number ON invoice (lower(number), org_id);
