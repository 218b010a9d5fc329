"""The catalog query: one statement, one round trip, one JSON document with a list per object kind.

Parameters (psycopg style): `schemas` (text[]): the schemas to read; `exclude` (text[]): table names,
bare or schema-qualified, left out with their columns, constraints, indexes, triggers, policies and
owned sequences. Objects that belong to an extension (pg_depend deptype 'e') are left out: the
extension's version stands for them. OIDs never leave the query; names and definitions as PostgreSQL
renders them do. Each object is sent as its JSON text (a list of texts per kind), so the caller can reuse
what it built from the same text before (infra.catalog.snapshot). ACLs fall back to `acldefault()` so
that "never granted" and "granted then revoked" read the same; the owner's name comes along so the caller
can normalize it away. Comments are read from pg_description directly: obj_description() and
col_description() are SQL functions run once per object (a third of the query's time on 64 tables).

Definitions (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef...) qualify names according to the
session's search_path: compare snapshots taken with the same search_path.
"""

SNAPSHOT_SQL = """
WITH
params AS (SELECT %(schemas)s::text[] AS schemas, %(exclude)s::text[] AS exclude),
ns AS (
    SELECT n.oid, n.nspname FROM pg_namespace n, params p WHERE n.nspname = ANY(p.schemas)
),
ext_member AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
rel AS (
    SELECT c.oid, c.relname, c.relkind, ns.nspname,
           (c.relname = ANY(p.exclude) OR ns.nspname || '.' || c.relname = ANY(p.exclude)) AS excluded
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace, params p
    WHERE NOT EXISTS (SELECT 1 FROM ext_member e
                      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
),
tbl AS (SELECT * FROM rel WHERE relkind IN ('r', 'p', 'f') AND NOT excluded)
SELECT jsonb_build_object(
'schemas', (
    SELECT jsonb_agg((jsonb_build_object(
        'name', n.nspname, 'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = n.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_namespace'::regclass),
        'acl', coalesce(n.nspacl, acldefault('n', n.nspowner))::text[],
        'owner', pg_get_userbyid(n.nspowner))::text))
    FROM pg_namespace n JOIN ns ON ns.oid = n.oid),
'extensions', (
    SELECT jsonb_agg((jsonb_build_object(
        'name', e.extname, 'version', e.extversion, 'schema', n.nspname,
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = e.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_extension'::regclass))::text))
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace),
'tables', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', t.nspname, 'name', t.relname,
        'relkind', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table'
                                  ELSE 'foreign table' END,
        'persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary'
                                             ELSE 'permanent' END,
        'parents', ARRAY(SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i
                         JOIN pg_class pc ON pc.oid = i.inhparent
                         JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                         WHERE i.inhrelid = c.oid ORDER BY i.inhseqno),
        'partition_bound', pg_get_expr(c.relpartbound, c.oid),
        'partition_key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
        'options', coalesce(c.reloptions, '{}'),
        'row_security', c.relrowsecurity, 'force_row_security', c.relforcerowsecurity,
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = c.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_class'::regclass),
        'acl', coalesce(c.relacl, acldefault('r', c.relowner))::text[],
        'owner', pg_get_userbyid(c.relowner))::text))
    FROM tbl t JOIN pg_class c ON c.oid = t.oid),
'columns', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', t.nspname, 'table', t.relname, 'name', a.attname,
        'type', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
        'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
        'identity', CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END,
        'generated', CASE WHEN a.attgenerated <> '' THEN '(' || pg_get_expr(d.adbin, d.adrelid) || ')'
            || CASE a.attgenerated WHEN 's' THEN ' STORED' ELSE ' VIRTUAL' END END,
        'collation', CASE WHEN a.attcollation <> ty.typcollation THEN co.collname END,
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = t.oid AND ds.objsubid = a.attnum
                      AND ds.classoid = 'pg_catalog.pg_class'::regclass),
        'acl', coalesce(a.attacl::text[], '{}'))::text))
    FROM tbl t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type ty ON ty.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation),
'constraints', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', n.nspname, 'table', coalesce(t.relname, dom.typname), 'name', con.conname,
        'on_domain', con.contypid <> 0,
        'type', CASE con.contype WHEN 'p' THEN 'primary key' WHEN 'f' THEN 'foreign key'
            WHEN 'u' THEN 'unique' WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion'
            WHEN 't' THEN 'trigger' WHEN 'n' THEN 'not null' ELSE con.contype::text END,
        'definition', pg_get_constraintdef(con.oid),
        'columns', ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
                         ORDER BY k.pos),
        'referred_schema', fn.nspname, 'referred_table', fc.relname,
        'referred_columns', ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
                                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                                  ORDER BY k.pos),
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = con.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_constraint'::regclass))::text))
    FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
    LEFT JOIN tbl t ON t.oid = con.conrelid
    LEFT JOIN pg_type dom ON dom.oid = con.contypid
    LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
    WHERE (t.oid IS NOT NULL OR (con.contypid <> 0 AND n.oid IN (SELECT oid FROM ns)))
      AND NOT EXISTS (SELECT 1 FROM ext_member e
                      WHERE e.classid = 'pg_type'::regclass AND e.objid = con.contypid)),
'indexes', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', t.nspname, 'table', t.relname, 'name', ic.relname,
        'definition', pg_get_indexdef(i.indexrelid), 'method', am.amname,
        'columns', ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, pos)
                         LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
                         WHERE k.pos <= i.indnkeyatts ORDER BY k.pos),
        'expressions', ARRAY(SELECT pg_get_indexdef(i.indexrelid, k.pos::int, true)
                             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, pos)
                             WHERE k.pos <= i.indnkeyatts AND k.num = 0 ORDER BY k.pos),
        'include', ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, pos)
                         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
                         WHERE k.pos > i.indnkeyatts ORDER BY k.pos),
        'unique', i.indisunique, 'primary', i.indisprimary,
        'predicate', pg_get_expr(i.indpred, i.indrelid),
        'constraint', (SELECT con.conname FROM pg_constraint con
                       WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                         AND con.contype IN ('p', 'u', 'x')),
        'valid', i.indisvalid,
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = i.indexrelid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_class'::regclass))::text))
    FROM pg_index i JOIN rel t ON t.oid = i.indrelid AND NOT t.excluded
    JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam),
'sequences', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', r.nspname, 'name', r.relname, 'type', format_type(s.seqtypid, NULL),
        'start', s.seqstart, 'increment', s.seqincrement, 'min', s.seqmin, 'max', s.seqmax,
        'cache', s.seqcache, 'cycle', s.seqcycle, 'owned_by', owner_col.name,
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = c.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_class'::regclass),
        'acl', coalesce(c.relacl, acldefault('s', c.relowner))::text[],
        'owner', pg_get_userbyid(c.relowner))::text))
    FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid JOIN pg_class c ON c.oid = r.oid
    LEFT JOIN LATERAL (
        SELECT ot.relname || '.' || a.attname AS name, ot.excluded FROM pg_depend d
        JOIN rel ot ON ot.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.deptype IN ('a', 'i')
        LIMIT 1) owner_col ON true
    WHERE NOT coalesce(owner_col.excluded, false)),
'types', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', n.nspname, 'name', ty.typname,
        'type_kind', CASE ty.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain'
                                     WHEN 'c' THEN 'composite' ELSE 'range' END,
        'labels', ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = ty.oid
                        ORDER BY e.enumsortorder),
        'base', CASE ty.typtype WHEN 'd' THEN format_type(ty.typbasetype, ty.typtypmod)
                WHEN 'r' THEN (SELECT format_type(rg.rngsubtype, NULL) FROM pg_range rg
                               WHERE rg.rngtypid = ty.oid) END,
        'attributes', ARRAY(SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                            FROM pg_attribute a WHERE ty.typtype = 'c' AND a.attrelid = ty.typrelid
                              AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
        'not_null', ty.typnotnull, 'default', ty.typdefault,
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = ty.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_type'::regclass),
        'acl', coalesce(ty.typacl, acldefault('T', ty.typowner))::text[],
        'owner', pg_get_userbyid(ty.typowner))::text))
    FROM pg_type ty JOIN ns n ON n.oid = ty.typnamespace
    WHERE (ty.typtype IN ('e', 'd', 'r')
           OR (ty.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = ty.typrelid) = 'c'))
      AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_type'::regclass AND e.objid = ty.oid)),
'views', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', r.nspname, 'name', r.relname, 'materialized', r.relkind = 'm',
        'definition', pg_get_viewdef(r.oid, true), 'options', coalesce(c.reloptions, '{}'),
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = r.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_class'::regclass),
        'acl', coalesce(c.relacl, acldefault('r', c.relowner))::text[],
        'owner', pg_get_userbyid(c.relowner))::text))
    FROM rel r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind IN ('v', 'm') AND NOT r.excluded),
'functions', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', n.nspname, 'name', p.proname,
        'identity_arguments', pg_get_function_identity_arguments(p.oid),
        'function_kind', CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                                        WHEN 'w' THEN 'window' ELSE 'function' END,
        'arguments', pg_get_function_arguments(p.oid), 'returns', pg_get_function_result(p.oid),
        'language', l.lanname,
        'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable'
                                         ELSE 'volatile' END,
        'strict', p.proisstrict, 'security_definer', p.prosecdef,
        'parallel', CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END,
        'body_md5', md5(CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
                             ELSE coalesce(p.prosrc, '') || coalesce(p.probin, '') END),
        'config', coalesce(p.proconfig, '{}'),
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = p.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_proc'::regclass),
        'acl', coalesce(p.proacl, acldefault('f', p.proowner))::text[],
        'owner', pg_get_userbyid(p.proowner))::text))
    FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
    WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)),
'triggers', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', t.nspname, 'table', t.relname, 'name', tg.tgname,
        'definition', pg_get_triggerdef(tg.oid, true),
        'enabled', CASE tg.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'
                                     WHEN 'R' THEN 'replica' ELSE 'always' END,
        'comment', (SELECT ds.description FROM pg_description ds
                    WHERE ds.objoid = tg.oid AND ds.objsubid = 0
                      AND ds.classoid = 'pg_catalog.pg_trigger'::regclass))::text))
    FROM pg_trigger tg JOIN rel t ON t.oid = tg.tgrelid AND NOT t.excluded
    WHERE NOT tg.tgisinternal),
'policies', (
    SELECT jsonb_agg((jsonb_build_object(
        'schema', t.nspname, 'table', t.relname, 'name', po.polname,
        'command', CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                  WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
        'permissive', po.polpermissive,
        'roles', ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END
                       FROM unnest(po.polroles) r ORDER BY 1),
        'using', pg_get_expr(po.polqual, po.polrelid),
        'check', pg_get_expr(po.polwithcheck, po.polrelid))::text))
    FROM pg_policy po JOIN tbl t ON t.oid = po.polrelid)
)
"""
